import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { FRAME_MS, MULAW_SAMPLE_RATE } from '../protocols/media-stream-messages.ts';

/**
 * Twilio's side of a bidirectional Media Stream, for the call simulator: the
 * frames Twilio sends (shaped exactly as Twilio sends them, numbers as
 * strings), and a strict reader for what the service sends back, where
 * anything but media, mark and clear is Twilio error 31924. Pure.
 */

/** Twilio SIDs: a two-letter prefix and 32 hex digits. */
export const newSid = (prefix: 'CA' | 'MZ' | 'AC'): string => `${prefix}${randomBytes(16).toString('hex')}`;

export interface StreamIdentity {
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
}

export const connectedFrame = () => ({ event: 'connected', protocol: 'Call', version: '1.0.0' }) as const;

export function startFrame(
  id: StreamIdentity,
  sequenceNumber: number,
  customParameters: Readonly<Record<string, string>>,
) {
  return {
    event: 'start',
    sequenceNumber: String(sequenceNumber),
    start: {
      accountSid: id.accountSid,
      streamSid: id.streamSid,
      callSid: id.callSid,
      tracks: ['inbound'],
      customParameters: { ...customParameters },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: MULAW_SAMPLE_RATE, channels: 1 },
    },
    streamSid: id.streamSid,
  } as const;
}

/** `chunk` counts media frames from 1; `timestamp` is the frame's start in ms since the stream started. */
export function mediaFrame(streamSid: string, sequenceNumber: number, chunk: number, audio: Buffer) {
  return {
    event: 'media',
    sequenceNumber: String(sequenceNumber),
    media: {
      track: 'inbound',
      chunk: String(chunk),
      timestamp: String((chunk - 1) * FRAME_MS),
      payload: audio.toString('base64'),
    },
    streamSid,
  } as const;
}

/** A key the caller pressed, as Twilio sends it on a bidirectional stream. */
export const dtmfFrame = (streamSid: string, sequenceNumber: number, digit: string) =>
  ({
    event: 'dtmf',
    sequenceNumber: String(sequenceNumber),
    streamSid,
    dtmf: { track: 'inbound_track', digit },
  }) as const;

export const markEchoFrame = (streamSid: string, sequenceNumber: number, name: string) =>
  ({ event: 'mark', sequenceNumber: String(sequenceNumber), streamSid, mark: { name } }) as const;

export const stopFrame = (id: StreamIdentity, sequenceNumber: number) =>
  ({
    event: 'stop',
    sequenceNumber: String(sequenceNumber),
    streamSid: id.streamSid,
    stop: { accountSid: id.accountSid, callSid: id.callSid },
  }) as const;

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'payload is not base64')
  .refine((text) => text.length % 4 === 0, 'payload is not base64 (length is not a multiple of 4)');
const serviceMessageSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('media'),
    streamSid: z.string(),
    media: z.object({ payload: base64.min(1, 'payload is empty') }),
  }),
  z.object({
    event: z.literal('mark'),
    streamSid: z.string(),
    mark: z.object({ name: z.string().min(1, 'mark has no name') }),
  }),
  z.object({ event: z.literal('clear'), streamSid: z.string() }),
]);

export type ServiceMessage =
  | { readonly event: 'media'; readonly audio: Buffer }
  | { readonly event: 'mark'; readonly name: string }
  | { readonly event: 'clear' };

export type ReadServiceMessage =
  { readonly ok: true; readonly message: ServiceMessage } | { readonly ok: false; readonly violation: string };

/** Reads one text frame the service sent on the media socket, as Twilio would judge it. */
export function readServiceMessage(text: string, streamSid: string): ReadServiceMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, violation: `not JSON: ${JSON.stringify(text.slice(0, 40))} (Twilio error 31924)` };
  }
  const event = typeof json === 'object' && json !== null && 'event' in json ? json.event : undefined;
  if (event !== 'media' && event !== 'mark' && event !== 'clear') {
    const shown = typeof event === 'string' ? JSON.stringify(event.slice(0, 40)) : 'no event field';
    return {
      ok: false,
      violation: `message with event ${shown}: Twilio accepts only media, mark and clear (Twilio error 31924)`,
    };
  }
  const parsed = serviceMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      violation:
        `malformed ${event} message: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() +
        ' (Twilio error 31924)',
    };
  }
  const message = parsed.data;
  if (message.streamSid !== streamSid)
    return { ok: false, violation: `${event} message for stream ${message.streamSid.slice(0, 40)}, not ${streamSid}` };
  switch (message.event) {
    case 'media':
      return { ok: true, message: { event: 'media', audio: Buffer.from(message.media.payload, 'base64') } };
    case 'mark':
      return { ok: true, message: { event: 'mark', name: message.mark.name } };
    case 'clear':
      return { ok: true, message: { event: 'clear' } };
  }
}
