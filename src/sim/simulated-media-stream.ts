import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { FRAME_MS } from '../protocols/media-stream-messages.ts';
import type { CallerScript, ScriptEvent } from './caller-script.ts';
import { PhonePlayback } from './phone-playback.ts';
import {
  connectedFrame,
  markEchoFrame,
  mediaFrame,
  readServiceMessage,
  startFrame,
  stopFrame,
  type ServiceMessage,
  type StreamIdentity,
} from './twilio-stream-frames.ts';
import { SERVED_BY_HEADER } from './twilio-webhook-post.ts';

/**
 * One bidirectional Media Stream, played as Twilio plays it: a media frame
 * every 20 ms of (scaled) time from the moment the socket opens, the service's
 * audio played back through a PhonePlayback, marks echoed, clears honoured.
 * The socket's lifecycle lives here; what the caller says comes from the
 * CallerScript.
 */

/** Twilio's own handshake limit is not published; ten seconds is generous for a local service. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** After the caller hangs up, how long to wait for the service's close frame before dropping the socket. */
const CLOSE_GRACE_MS = 2_000;
const NORMAL_CLOSURE = 1000;
/** 200 ms of phone time: at 80 times real time still four times the 1 ms timer granularity, at real time a clear stall. */
const MAX_CATCH_UP_FRAMES = 10;
/** An agent off its script that is no known scenario is listened to this much longer (phone ms) before asking again. */
const OFF_SCRIPT_RECHECK_MS = 1_000;

export type StreamEvent =
  | ScriptEvent
  | {
      readonly type: 'stream-opened';
      readonly url: string;
      readonly streamSid: string;
      /** The instance that accepted it, when a load balancer names it. */
      readonly servedBy: string | undefined;
    }
  | { readonly type: 'mark-echoed'; readonly name: string }
  | { readonly type: 'cleared'; readonly droppedMs: number; readonly marksEchoed: number }
  | {
      readonly type: 'stream-closed';
      readonly by: 'service' | 'caller';
      readonly code: number;
      readonly reason: string;
    }
  | {
      readonly type: 'off-script';
      /** Agent speech heard that is none of the scenario's lines, in phone ms. */
      readonly heardMs: number;
      /** The line the caller was waiting for, if the scenario has one left. */
      readonly expectedLine: string | undefined;
      /** The scenarios whose lines were heard instead, as offScriptPlayedBy named them. */
      readonly playing: readonly string[];
    }
  | { readonly type: 'protocol-violation'; readonly message: string }
  | { readonly type: 'error'; readonly message: string };

export interface MediaStreamOptions {
  /** Where to connect (already mapped from the public URL to the service). */
  readonly url: string;
  /** X-Twilio-Signature for the handshake. */
  readonly signature: string;
  readonly identity: StreamIdentity;
  readonly customParameters: Readonly<Record<string, string>>;
  readonly script: CallerScript;
  readonly realTimeFactor: number;
  /** Ms since the call began, in phone time: stamps clears. */
  readonly phoneNow: () => number;
  readonly emit: (event: StreamEvent) => void;
  /** Aborting hangs up (stop, then close), as a caller would. */
  readonly hangUpSignal: AbortSignal;
  /** The caller hangs up once the agent has said this much (phone ms) that is none of the scenario's lines. */
  readonly offScriptLimitMs?: number;
  /**
   * Names the scenarios off-script agent audio comes from; given, the caller hangs up only once it names one (and
   * listens on, a second more each time, to an agent that merely talks differently).
   */
  readonly offScriptPlayedBy?: (audio: Buffer) => readonly string[];
  /** Called once the socket is open and `start` is sent. */
  readonly onOpen?: () => void;
}

export interface MediaStreamOutcome {
  /**
   * service: the service closed the socket; caller: the script hung up; hang-up-signal: hangUpSignal fired;
   * off-script: the caller hung up on an agent that says none of its scenario's lines; failed: never opened.
   */
  readonly endedBy: 'service' | 'caller' | 'hang-up-signal' | 'off-script' | 'failed';
  readonly framesSent: number;
  readonly agentAudioMsPlayed: number;
  /** Agent audio still buffered when the stream ended: the caller never heard it. */
  readonly agentAudioMsUnplayed: number;
  readonly marksEchoed: readonly string[];
  readonly clears: readonly { readonly atMs: number; readonly droppedMs: number }[];
  readonly protocolViolations: readonly string[];
  readonly errors: readonly string[];
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  /** The instance that accepted the socket, when a load balancer names it in the upgrade answer. */
  readonly servedBy: string | undefined;
}

type Ending = Exclude<MediaStreamOutcome['endedBy'], 'failed'>;

export async function runMediaStream(options: MediaStreamOptions): Promise<MediaStreamOutcome> {
  return new MediaStream(options).run();
}

class MediaStream {
  readonly #o: MediaStreamOptions;
  readonly #ws: WebSocket;
  readonly #closed: Promise<{ code: number; reason: string }>;
  readonly #playback = new PhonePlayback();
  #sequenceNumber = 0;
  #framesSent = 0;
  #ending: Ending | undefined;
  readonly #marksEchoed: string[] = [];
  readonly #clears: { atMs: number; droppedMs: number }[] = [];
  readonly #violations: string[] = [];
  readonly #errors: string[] = [];
  #servedBy: string | undefined;
  #offScriptCheckMs = 0;

  constructor(options: MediaStreamOptions) {
    this.#o = options;
    this.#ws = new WebSocket(options.url, {
      headers: { 'X-Twilio-Signature': options.signature },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    this.#ws.once('upgrade', (response) => {
      const servedBy = response.headers[SERVED_BY_HEADER];
      this.#servedBy = typeof servedBy === 'string' ? servedBy : undefined;
    });
    this.#ws.on('error', (error) => {
      this.#error(`media socket: ${error.message}`);
    });
    this.#closed = new Promise((resolve) => {
      this.#ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  async run(): Promise<MediaStreamOutcome> {
    const opened = await Promise.race([
      new Promise<true>((resolve) =>
        this.#ws.once('open', () => {
          resolve(true);
        }),
      ),
      this.#closed.then(() => false as const),
    ]);
    if (!opened) {
      const { code, reason } = await this.#closed;
      return this.#outcome('failed', code, reason);
    }

    this.#ws.on('message', (data, isBinary) => {
      this.#onMessage(data, isBinary);
    });
    void this.#closed.then(() => {
      this.#ending ??= 'service';
    });
    const onHangUpSignal = (): void => {
      this.#hangUp('hang-up-signal');
    };
    this.#o.hangUpSignal.addEventListener('abort', onHangUpSignal, { once: true });
    if (this.#o.hangUpSignal.aborted) onHangUpSignal();

    const { identity } = this.#o;
    this.#send(connectedFrame());
    this.#send(startFrame(identity, this.#nextSequence(), this.#o.customParameters));
    this.#o.emit({ type: 'stream-opened', url: this.#o.url, streamSid: identity.streamSid, servedBy: this.#servedBy });
    this.#o.onOpen?.();

    try {
      await this.#streamUntilEnd();
    } finally {
      this.#o.hangUpSignal.removeEventListener('abort', onHangUpSignal);
    }
    const { code, reason } = await this.#closedOrDropped();
    const ending = this.#ending ?? 'service';
    for (const event of this.#o.script.end()) this.#o.emit(event);
    this.#o.emit({ type: 'stream-closed', by: ending === 'service' ? 'service' : 'caller', code, reason });
    return this.#outcome(ending, code, reason);
  }

  /**
   * Frame n is due at start + n × 20 ms / realTimeFactor, so ordinary timer
   * lateness never accumulates: a late wake-up sends the frames that are due
   * at once, as Twilio's own bursts after a network stall do.
   *
   * A wake-up later than MAX_CATCH_UP_FRAMES means this process was starved
   * of CPU, and the service and the model stand-in (usually in the same
   * process) were frozen with it. Catching all of that up would play
   * silence in place of agent audio that sits unread in the socket, so the
   * caller would hear a gap no real phone hears and answer in the middle of
   * the agent's line. So the phone's clock pauses for the rest of the stall.
   */
  async #streamUntilEnd(): Promise<void> {
    const frameWallMs = FRAME_MS / this.#o.realTimeFactor;
    let startedAt = performance.now();
    while (!this.#ended()) {
      let due = Math.floor((performance.now() - startedAt) / frameWallMs) + 1;
      if (due - this.#framesSent > MAX_CATCH_UP_FRAMES) {
        startedAt += (due - this.#framesSent - MAX_CATCH_UP_FRAMES) * frameWallMs;
        due = this.#framesSent + MAX_CATCH_UP_FRAMES;
      }
      while (this.#framesSent < due && !this.#ended()) this.#tick();
      if (this.#ended()) return;
      await sleep(Math.max(0, startedAt + this.#framesSent * frameWallMs - performance.now()));
    }
  }

  /**
   * A method, not a field read: the socket's handlers end the stream between
   * the loop's checks. A socket that is closing counts as ended, so no frame
   * is counted that could not be sent.
   */
  #ended(): boolean {
    return this.#ending !== undefined || this.#ws.readyState !== WebSocket.OPEN;
  }

  #tick(): void {
    const played = this.#playback.playFrame();
    for (const name of played.marks) this.#echoMark(name);
    const step = this.#o.script.step(played.frame.subarray(0, played.audioBytes));
    this.#framesSent += 1;
    this.#send(mediaFrame(this.#o.identity.streamSid, this.#nextSequence(), this.#framesSent, step.frame));
    for (const event of step.events) this.#o.emit(event);
    if (step.hangUp) this.#hangUp('caller');
    this.#judgeOffScript();
  }

  #judgeOffScript(): void {
    const limit = this.#o.offScriptLimitMs;
    const { script } = this.#o;
    if (limit === undefined || this.#ending !== undefined) return;
    if (script.offScriptMs < limit) {
      this.#offScriptCheckMs = limit;
      return;
    }
    if (script.offScriptMs < this.#offScriptCheckMs) return;
    const playing = this.#o.offScriptPlayedBy?.(script.offScriptAudio) ?? [];
    if (this.#o.offScriptPlayedBy !== undefined && playing.length === 0) {
      this.#offScriptCheckMs = script.offScriptMs + OFF_SCRIPT_RECHECK_MS;
      return;
    }
    this.#o.emit({ type: 'off-script', heardMs: script.offScriptMs, expectedLine: script.expectedAgentLine, playing });
    this.#hangUp('off-script');
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.#ending !== undefined && this.#ending !== 'service') return;
    if (isBinary) {
      this.#violation('binary WebSocket frame: Twilio reads only JSON text frames (Twilio error 31924)');
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    const read = readServiceMessage(text, this.#o.identity.streamSid);
    if (!read.ok) {
      this.#violation(read.violation);
      return;
    }
    this.#handle(read.message);
  }

  #handle(message: ServiceMessage): void {
    switch (message.event) {
      case 'media':
        this.#playback.enqueueAudio(message.audio);
        return;
      case 'mark':
        this.#playback.enqueueMark(message.name);
        return;
      case 'clear':
        this.#clear();
        return;
    }
  }

  #clear(): void {
    const cleared = this.#playback.clear();
    this.#clears.push({ atMs: this.#o.phoneNow(), droppedMs: cleared.droppedMs });
    this.#o.emit({ type: 'cleared', droppedMs: cleared.droppedMs, marksEchoed: cleared.marks.length });
    for (const name of cleared.marks) this.#echoMark(name);
  }

  #echoMark(name: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#send(markEchoFrame(this.#o.identity.streamSid, this.#nextSequence(), name));
    this.#marksEchoed.push(name);
    this.#o.emit({ type: 'mark-echoed', name });
  }

  #hangUp(ending: Ending): void {
    if (this.#ending !== undefined) return;
    this.#ending = ending;
    this.#send(stopFrame(this.#o.identity, this.#nextSequence()));
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(NORMAL_CLOSURE);
  }

  async #closedOrDropped(): Promise<{ code: number; reason: string }> {
    const timer = sleep(CLOSE_GRACE_MS, 'timeout' as const, { ref: false });
    const closed = await Promise.race([this.#closed, timer]);
    if (closed !== 'timeout') return closed;
    this.#error(`the service did not complete the WebSocket close within ${CLOSE_GRACE_MS} ms`);
    this.#ws.terminate();
    return this.#closed;
  }

  #send(message: object): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(JSON.stringify(message));
  }

  #nextSequence(): number {
    this.#sequenceNumber += 1;
    return this.#sequenceNumber;
  }

  #violation(message: string): void {
    this.#violations.push(message);
    this.#o.emit({ type: 'protocol-violation', message });
  }

  #error(message: string): void {
    this.#errors.push(message);
    this.#o.emit({ type: 'error', message });
  }

  #outcome(endedBy: MediaStreamOutcome['endedBy'], closeCode: number, closeReason: string): MediaStreamOutcome {
    return {
      endedBy,
      framesSent: this.#framesSent,
      agentAudioMsPlayed: this.#playback.playedMs,
      agentAudioMsUnplayed: this.#playback.bufferedMs,
      marksEchoed: [...this.#marksEchoed],
      clears: [...this.#clears],
      protocolViolations: [...this.#violations],
      errors: [...this.#errors],
      closeCode,
      closeReason,
      servedBy: this.#servedBy,
    };
  }
}
