import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';
import WebSocket from 'ws';
import {
  connectedFrame,
  markEchoFrame,
  mediaFrame,
  newSid,
  startFrame,
  stopFrame,
  type StreamIdentity,
} from '../src/sim/twilio-stream-frames.ts';
import { readTwiml } from '../src/sim/twiml-reader.ts';
import { FRAME_BYTES, FRAME_MS, MULAW_BYTES_PER_MS } from '../src/protocols/media-stream-messages.ts';
import type { BargeInLedger } from './barge-in-ledger.ts';
import { readStamp, StampedPayload } from './frame-stamp.ts';
import type { DirectionLedger } from './stream-ledger.ts';

/**
 * One simulated call, played as Twilio plays it but stripped to what the
 * bench needs: the signed voice webhook, the media socket with the stream
 * token, a stamped 20 ms frame on a drift-free real-time schedule, every
 * mark echoed as soon as it arrives (or, for the barge-in run, when its audio
 * would have finished playing, as Twilio does), and every delta the service
 * forwards read for its stamp. At the end it asks
 * the model stand-in to stop speaking, waits for in-flight audio to drain,
 * then hangs up (stop, close).
 */

const MEDIA_PREFIX = '{"event":"media",';
const PAYLOAD_KEY = '"payload":"';
const STAMP_HEADER_CHARS = 24;
const SIMULATED_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const DEPARTMENT_NUMBER = '+12125550100';
/** 555-0100…0199 is the range set aside for fiction; calls past 100 wrap onto the exchange below it. */
const FICTIONAL_LINE_BASE = 100;
const FICTIONAL_LINES = 100;
const WEBHOOK_TIMEOUT_MS = 15_000;
const CLOSE_GRACE_MS = 2_000;
const NORMAL_CLOSURE = 1000;
const BASE64_BYTES_PER_CHAR = 0.75;

/** The part of a call the signed voice webhook needs. */
export interface WebhookCaller {
  readonly serviceUrl: string;
  readonly authToken: string;
  /** Picks the caller's (fictional) number. */
  readonly callIndex: number;
  readonly signal: AbortSignal;
}

export interface BenchCallOptions {
  /** The service's PUBLIC_BASE_URL, also where requests go (the bench is local). */
  readonly serviceUrl: string;
  readonly authToken: string;
  readonly callIndex: number;
  /** Caller audio to stream, in ms (a whole number of frames). */
  readonly durationMs: number;
  /** After the last frame, how long to wait for audio in flight before hanging up. */
  readonly drainMs: number;
  /** Caller → model: frames are sent here. */
  readonly inbound: DirectionLedger;
  /** Model → caller: forwarded deltas are received here. */
  readonly outbound: DirectionLedger;
  /** Asks the model stand-in to end its response to this call. */
  readonly stopModel: (callIndex: number) => boolean;
  /** Aborting hangs up at once. */
  readonly signal: AbortSignal;
  readonly onConnected: () => void;
  /**
   * 'at once' (default): a mark is echoed when it arrives, so the service never has audio it thinks is still playing.
   * 'at playback pace': a mark is echoed when its chunk would finish playing (chunks play back to back), so that a
   * speech_started finds audio playing and the service barges in.
   */
  readonly marks?: 'at once' | 'at playback pace';
  /** Where each Twilio `clear` is recorded, for the barge-in run. */
  readonly bargeIn?: BargeInLedger;
}

export interface BenchCallResult {
  readonly callIndex: number;
  /** The media socket opened and `start` was sent. */
  readonly connected: boolean;
  /** What went wrong, if anything: a failed webhook, a socket error, the service hanging up first. */
  readonly problems: readonly string[];
  readonly webhookMs: number;
  /** `start` sent → the first forwarded agent audio read; NaN if none came. */
  readonly firstAudioMs: number;
  readonly framesSent: number;
  readonly marksEchoed: number;
  readonly clears: number;
  /** The harness's own lateness: the most a frame was sent after its due time. */
  readonly maxSendLagMs: number;
}

export async function runBenchCall(o: BenchCallOptions): Promise<BenchCallResult> {
  const problems: string[] = [];
  const callSid = newSid('CA');
  const identity: StreamIdentity = { callSid, streamSid: newSid('MZ'), accountSid: SIMULATED_ACCOUNT_SID };
  const result = {
    callIndex: o.callIndex,
    connected: false,
    problems,
    webhookMs: Number.NaN,
    firstAudioMs: Number.NaN,
    framesSent: 0,
    marksEchoed: 0,
    clears: 0,
    maxSendLagMs: 0,
  };

  const webhookStart = performance.now();
  const stream = await postVoiceWebhook(o, callSid).catch((error: unknown) => {
    problems.push(`voice webhook: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  result.webhookMs = performance.now() - webhookStart;
  if (stream === undefined || o.signal.aborted) return result;

  const signedUrl = stream.url.replace(/^ws:/i, 'http:').replace(/^wss:/i, 'https:');
  const ws = new WebSocket(stream.url, {
    headers: { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(o.authToken, signedUrl, {}) },
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  let hangingUp = false;
  let sequenceNumber = 0;
  const sendJson = (frame: object): void => {
    if (isOpen(ws)) ws.send(JSON.stringify(frame));
  };
  let startSentAt = Number.NaN;
  const agentAudio = (chunkMs: number): void => {
    if (Number.isNaN(result.firstAudioMs)) result.firstAudioMs = performance.now() - startSentAt;
    playback.queued(chunkMs);
  };
  const echoMark = (name: string): void => {
    sendJson(markEchoFrame(identity.streamSid, ++sequenceNumber, name));
    result.marksEchoed += 1;
  };
  const playback = new PlaybackPace(o.marks === 'at playback pace', echoMark);

  ws.on('message', (data: Buffer, isBinary) => {
    const receivedNs = process.hrtime.bigint();
    if (isBinary) {
      problems.push('binary frame from the service');
      return;
    }
    // Fast path for forwarded audio: the service writes { event, streamSid, media: { payload } } in that order.
    if (data.toString('latin1', 0, MEDIA_PREFIX.length) === MEDIA_PREFIX) {
      const at = data.indexOf(PAYLOAD_KEY, MEDIA_PREFIX.length);
      const stamp =
        at < 0
          ? undefined
          : readStamp(data.toString('latin1', at + PAYLOAD_KEY.length, at + PAYLOAD_KEY.length + STAMP_HEADER_CHARS));
      if (stamp !== undefined) {
        o.outbound.received(o.callIndex, stamp, receivedNs);
        const end = data.indexOf('"', at + PAYLOAD_KEY.length);
        agentAudio(base64DurationMs(end - at - PAYLOAD_KEY.length));
        return;
      }
    }
    const message = JSON.parse(data.toString()) as {
      event?: unknown;
      media?: { payload?: unknown };
      mark?: { name?: unknown };
    };
    switch (message.event) {
      case 'media': {
        const payload = message.media?.payload;
        const stamp = typeof payload === 'string' ? readStamp(payload) : undefined;
        if (stamp === undefined) problems.push('media without a stamp');
        else o.outbound.received(o.callIndex, stamp, receivedNs);
        agentAudio(typeof payload === 'string' ? base64DurationMs(payload.length) : 0);
        return;
      }
      case 'mark':
        if (typeof message.mark?.name === 'string') playback.mark(message.mark.name);
        return;
      case 'clear':
        o.bargeIn?.cleared(o.callIndex, receivedNs);
        result.clears += 1;
        playback.clear();
        return;
      default:
        problems.push(`unexpected message ${JSON.stringify(message.event)}`);
    }
  });
  ws.on('error', (error) => {
    problems.push(`media socket: ${error.message}`);
  });
  const closed = once(ws, 'close').then(([code]) => {
    playback.clear();
    if (!hangingUp) problems.push(`the service closed the media stream early (${String(code)})`);
  });

  try {
    await Promise.race([once(ws, 'open'), closed]);
  } catch (error) {
    problems.push(`media socket: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isOpen(ws)) return result;
  sendJson(connectedFrame());
  startSentAt = performance.now();
  sendJson(startFrame(identity, ++sequenceNumber, stream.parameters));
  result.connected = true;
  o.onConnected();

  const payload = new StampedPayload(o.callIndex, FRAME_BYTES);
  const totalFrames = Math.floor(o.durationMs / FRAME_MS);
  const startedAt = performance.now();
  const dueAt = (frame: number): number => startedAt + (frame + 1) * FRAME_MS;
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', finish);
      resolve();
    };
    const tick = (): void => {
      const now = performance.now();
      // Drift-free: frame k is due when its 20 ms of audio is complete, at startedAt + (k+1)·20 ms (so the first
      // comes 20 ms after start, as from Twilio); a late timer sends what is overdue at once, as a network would.
      while (result.framesSent < totalFrames && dueAt(result.framesSent) <= now) {
        if (!isOpen(ws)) {
          finish();
          return;
        }
        result.maxSendLagMs = Math.max(result.maxSendLagMs, now - dueAt(result.framesSent));
        const chunk = result.framesSent + 1;
        ws.send(
          JSON.stringify(mediaFrame(identity.streamSid, ++sequenceNumber, chunk, payload.stamp(result.framesSent))),
        );
        o.inbound.sent(o.callIndex);
        result.framesSent += 1;
      }
      if (result.framesSent >= totalFrames) {
        finish();
        return;
      }
      timer = setTimeout(tick, Math.max(0, dueAt(result.framesSent) - performance.now()));
    };
    o.signal.addEventListener('abort', finish);
    closed.then(finish, finish);
    tick();
  });

  o.stopModel(o.callIndex);
  // A function call again: the signal may have fired while the frames were playing.
  const abortedNow = (): boolean => o.signal.aborted;
  if (!abortedNow() && isOpen(ws)) await sleep(o.drainMs);
  hangingUp = true;
  playback.clear();
  sendJson(stopFrame(identity, ++sequenceNumber));
  if (isOpen(ws)) ws.close(NORMAL_CLOSURE, 'caller hung up');
  const grace = sleep(CLOSE_GRACE_MS, 'timeout' as const);
  if ((await Promise.race([closed.then(() => 'closed' as const), grace])) === 'timeout') ws.terminate();
  return result;
}

/** A function, not an inline comparison: the socket's state changes across awaits, which narrowing cannot see. */
const isOpen = (ws: WebSocket): boolean => ws.readyState === ws.OPEN;

/**
 * Twilio's playback of the agent's audio, as far as marks go: chunks play back to back from when each arrives or
 * the previous one ends, and a mark is echoed when the chunk before it has played. A `clear` drops what is queued
 * and its marks (the service ignores marks it no longer knows).
 */
class PlaybackPace {
  readonly #paced: boolean;
  readonly #echo: (name: string) => void;
  readonly #pending = new Set<NodeJS.Timeout>();
  #playedUntil = 0;

  constructor(paced: boolean, echo: (name: string) => void) {
    this.#paced = paced;
    this.#echo = echo;
  }

  queued(chunkMs: number): void {
    if (this.#paced) this.#playedUntil = Math.max(performance.now(), this.#playedUntil) + chunkMs;
  }

  mark(name: string): void {
    if (!this.#paced) {
      this.#echo(name);
      return;
    }
    const timer = setTimeout(
      () => {
        this.#pending.delete(timer);
        this.#echo(name);
      },
      Math.max(0, this.#playedUntil - performance.now()),
    );
    this.#pending.add(timer);
  }

  clear(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
    this.#playedUntil = 0;
  }
}

/** Audio in a base64 mu-law payload of `chars` characters (8 bytes a millisecond). */
const base64DurationMs = (chars: number): number => (chars * BASE64_BYTES_PER_CHAR) / MULAW_BYTES_PER_MS;

/**
 * Posts the signed voice webhook, as Twilio does when a call rings, and returns the media stream the TwiML asks
 * for. Also the webhook bench's request (bench/webhook-bench.ts).
 */
export async function postVoiceWebhook(
  o: WebhookCaller,
  callSid: string = newSid('CA'),
): Promise<{ url: string; parameters: Readonly<Record<string, string>> }> {
  const url = new URL('/twilio/voice', o.serviceUrl).href;
  const line = FICTIONAL_LINE_BASE + (o.callIndex % FICTIONAL_LINES);
  const exchange = 555 - Math.floor(o.callIndex / FICTIONAL_LINES);
  const params = {
    CallSid: callSid,
    AccountSid: SIMULATED_ACCOUNT_SID,
    From: `+1312${String(exchange)}${String(line).padStart(4, '0')}`,
    To: DEPARTMENT_NUMBER,
    CallStatus: 'ringing',
    Direction: 'inbound',
  };
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilio.getExpectedTwilioSignature(o.authToken, url, params),
    },
    body: new URLSearchParams(params),
    signal: AbortSignal.any([o.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 120)}`);
  const stream = readTwiml(text).connect?.stream;
  if (stream === undefined) throw new Error('the TwiML does not connect a media stream');
  return { url: stream.url, parameters: stream.parameters };
}
