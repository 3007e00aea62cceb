import { z } from 'zod';
import { checkMediaFrame, readMediaFrameText } from './media-frame-fast-path.ts';

/**
 * Twilio Media Streams wire protocol (bidirectional, <Connect><Stream>):
 * the messages Twilio sends us, validated at the edge, and the three we may
 * send back (anything else is Twilio error 31924). Pure: no sockets here.
 */

/** mu-law, 8 kHz, mono: 8 bytes per millisecond; Twilio sends 20 ms frames of 160 bytes. */
export const MULAW_SAMPLE_RATE = 8000;
export const MULAW_BYTES_PER_MS = MULAW_SAMPLE_RATE / 1000;
export const FRAME_MS = 20;
export const FRAME_BYTES = FRAME_MS * MULAW_BYTES_PER_MS;
/** mu-law encodes silence (zero amplitude) as 0xFF. */
export const MULAW_SILENCE = 0xff;

// Twilio sends numbers as strings ("sequenceNumber": "2"); we keep them as given and never do arithmetic on them.
// Both patterns are exported for the fast path's test, which holds the hand-written checks to them.
export const NUMERIC_TEXT = /^\d+$/;
export const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;
const numericString = z.string().regex(NUMERIC_TEXT);

const connected = z.object({ event: z.literal('connected'), protocol: z.string(), version: z.string() });

const start = z.object({
  event: z.literal('start'),
  sequenceNumber: numericString.optional(),
  streamSid: z.string().min(1),
  start: z.object({
    accountSid: z.string(),
    streamSid: z.string().min(1),
    callSid: z.string().min(1),
    tracks: z.array(z.string()),
    customParameters: z.record(z.string(), z.string()).default({}),
    mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }),
  }),
});

const media = z.object({
  event: z.literal('media'),
  sequenceNumber: numericString.optional(),
  streamSid: z.string().min(1),
  media: z.object({
    track: z.string().optional(),
    chunk: numericString.optional(),
    timestamp: numericString.optional(),
    payload: z.string().regex(BASE64_TEXT, 'payload is not base64'),
  }),
});

const mark = z.object({
  event: z.literal('mark'),
  sequenceNumber: numericString.optional(),
  streamSid: z.string().min(1),
  mark: z.object({ name: z.string() }),
});

const dtmf = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: numericString.optional(),
  streamSid: z.string().min(1),
  dtmf: z.object({ track: z.string().optional(), digit: z.string().regex(/^[0-9*#A-D]$/) }),
});

const stop = z.object({
  event: z.literal('stop'),
  sequenceNumber: numericString.optional(),
  streamSid: z.string().min(1),
  stop: z.object({ accountSid: z.string(), callSid: z.string() }),
});

export const twilioMessageSchema = z.discriminatedUnion('event', [connected, start, media, mark, dtmf, stop]);

export type TwilioMessage = z.infer<typeof twilioMessageSchema>;
export type TwilioStartMessage = z.infer<typeof start>;
export type TwilioMediaMessage = z.infer<typeof media>;

export type ParsedTwilioFrame =
  | { readonly kind: 'message'; readonly message: TwilioMessage }
  /** A well-formed message of a type we do not handle (Twilio may add some): log and ignore. */
  | { readonly kind: 'unknown'; readonly event: string }
  /** Not JSON, or a known type with the wrong shape: close that call's socket. */
  | { readonly kind: 'malformed'; readonly reason: string };

const KNOWN_EVENTS = new Set(['connected', 'start', 'media', 'mark', 'dtmf', 'stop']);

/**
 * Every frame is validated; `media` frames, 50 a second per call, first try
 * the hand-written readers of media-frame-fast-path.ts, which accept exactly
 * what the schema accepts and hand anything else to it.
 */
export function parseTwilioFrame(text: string): ParsedTwilioFrame {
  const exact = readMediaFrameText(text);
  if (exact !== undefined) return { kind: 'message', message: exact };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  const media = checkMediaFrame(json);
  return media === undefined ? parseTwilioJson(json) : { kind: 'message', message: media };
}

/** The frame through the zod union alone: what parseTwilioFrame answers, the slow way (the property test compares). */
export function parseTwilioFrameFully(text: string): ParsedTwilioFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  return parseTwilioJson(json);
}

function parseTwilioJson(json: unknown): ParsedTwilioFrame {
  const event = typeof json === 'object' && json !== null && 'event' in json ? json.event : undefined;
  if (typeof event !== 'string') return { kind: 'malformed', reason: 'no event field' };
  if (!KNOWN_EVENTS.has(event)) return { kind: 'unknown', event: event.slice(0, 40) };
  const parsed = twilioMessageSchema.safeParse(json);
  if (!parsed.success)
    return { kind: 'malformed', reason: `${event}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  return { kind: 'message', message: parsed.data };
}

/** The only three messages Twilio accepts from us. */
export type OutboundTwilioMessage =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

export const outboundMedia = (streamSid: string, payload: string): OutboundTwilioMessage => ({
  event: 'media',
  streamSid,
  media: { payload },
});
export const outboundMark = (streamSid: string, name: string): OutboundTwilioMessage => ({
  event: 'mark',
  streamSid,
  mark: { name },
});
export const outboundClear = (streamSid: string): OutboundTwilioMessage => ({ event: 'clear', streamSid });

/**
 * The same three messages as the text we send, for one stream: the JSON of
 * the builders' objects above, byte for byte. The stream sid is encoded once;
 * a payload is still encoded each time, by JSON.stringify of the string alone,
 * which costs less than checking it is base64 so as to splice it in as written
 * (npm run bench:frames), and can never make broken JSON.
 */
export interface TwilioOutboundText {
  media(payload: string): string;
  mark(name: string): string;
  clear(): string;
}

export function twilioOutboundText(streamSid: string): TwilioOutboundText {
  const sid = JSON.stringify(streamSid);
  const mediaHead = `{"event":"media","streamSid":${sid},"media":{"payload":`;
  const markHead = `{"event":"mark","streamSid":${sid},"mark":{"name":`;
  const clear = `{"event":"clear","streamSid":${sid}}`;
  return {
    media: (payload) => `${mediaHead}${JSON.stringify(payload)}}}`,
    mark: (name) => `${markHead}${JSON.stringify(name)}}}`,
    clear: () => clear,
  };
}

/** Milliseconds of audio in a base64 mu-law payload, without decoding it. */
export function payloadDurationMs(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const bytes = (base64.length / 4) * 3 - padding;
  return bytes / MULAW_BYTES_PER_MS;
}
