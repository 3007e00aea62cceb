import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import {
  parseTwilioFrame,
  payloadDurationMs,
  twilioOutboundText,
  type TwilioOutboundText,
} from '../protocols/media-stream-messages.ts';
import type { StreamEnding } from './call-ending.ts';
import { MediaPace, type MediaPaceLimits } from './media-pace.ts';
import type { TelephonyStream, TelephonyStreamEvents } from './telephony-stream.ts';

/**
 * A Twilio media stream socket after its `start` has been accepted. Every
 * frame is validated; a malformed one closes this call's socket only.
 */

// WebSocket close codes (RFC 6455): 1000 normal, 1007 invalid payload, 1008 policy violation.
const CLOSE_NORMAL = 1000;
const CLOSE_INVALID_PAYLOAD = 1007;
const CLOSE_POLICY_VIOLATION = 1008;
// What ws says when a message is over maxPayload (it closes the socket with 1009 itself).
const WS_MESSAGE_TOO_BIG = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
// Five seconds of 20 ms frames: longer than opening a model session may take before the call is given up.
const MAX_EARLY_FRAMES = 250;
// A flooding peer's close frame is written at once; this is how long it has to read it before the connection drops.
const FLOOD_CLOSE_GRACE_MS = 1_000;
// RFC 6455 allows 123 bytes of close reason; our reasons are ASCII.
const MAX_CLOSE_REASON_CHARS = 120;

export interface TwilioMediaStreamOptions {
  /** Frames that arrived after `start` before this stream took the socket, in order. */
  readonly earlier?: readonly string[];
  /** How fast caller audio may arrive; undefined: no limit. */
  readonly pace?: MediaPaceLimits;
  readonly now?: () => number;
}

export class TwilioMediaStream extends EventEmitter<TelephonyStreamEvents> implements TelephonyStream {
  readonly callSid: string;
  readonly streamSid: string;
  readonly #socket: WebSocket;
  readonly #log: Logger;
  readonly #pace: MediaPace | undefined;
  // What we send is assembled text with this stream's sid encoded once: a media and a mark per model delta.
  readonly #outbound: TwilioOutboundText;
  #ended = false;
  #ending: StreamEnding | undefined;
  // Audio that arrives while the model session is still being connected; handed over by takeEarlyAudio().
  #earlyAudio: string[] | undefined = [];

  constructor(
    socket: WebSocket,
    ids: { callSid: string; streamSid: string },
    logger: Logger,
    options: TwilioMediaStreamOptions = {},
  ) {
    super();
    this.#socket = socket;
    this.callSid = ids.callSid;
    this.streamSid = ids.streamSid;
    this.#outbound = twilioOutboundText(ids.streamSid);
    this.#log = logger;
    this.#pace = options.pace === undefined ? undefined : new MediaPace(options.pace, options.now);
    socket.on('message', (data: Buffer, isBinary) => {
      // Whatever still arrives once the stream has ended (the rest of a flood, say) is not even read as text.
      if (!this.#ended) this.#onFrame(isBinary ? '' : data.toString());
    });
    socket.on('close', (code) => {
      this.#finish({ kind: 'stream-lost', closeCode: code });
    });
    socket.on('error', (error) => {
      this.#log.warn({ err: error }, 'media stream socket error');
      this.#finish(
        'code' in error && error.code === WS_MESSAGE_TOO_BIG
          ? { kind: 'protocol-violation', detail: 'message too large' }
          : { kind: 'stream-lost', closeCode: undefined },
      );
    });
    for (const frame of options.earlier ?? []) this.#onFrame(frame);
  }

  get ending(): StreamEnding | undefined {
    return this.#ending;
  }

  takeEarlyAudio(): string[] {
    const early = this.#earlyAudio ?? [];
    this.#earlyAudio = undefined;
    return early;
  }

  sendAudio(payload: string): void {
    this.#send(this.#outbound.media(payload));
  }

  sendMark(name: string): void {
    this.#send(this.#outbound.mark(name));
  }

  clear(): void {
    this.#send(this.#outbound.clear());
  }

  /** Ends the stream from our side; whoever closes it knows why, so no `ended` is emitted. */
  close(reason: string): void {
    if (this.#socket.readyState === this.#socket.OPEN || this.#socket.readyState === this.#socket.CONNECTING)
      this.#socket.close(CLOSE_NORMAL, reason.slice(0, MAX_CLOSE_REASON_CHARS));
    this.#ended = true;
  }

  #send(text: string): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(text);
  }

  #onFrame(text: string): void {
    if (this.#ended) return; // an earlier frame (kept while the stream was claimed) ended it
    const frame = parseTwilioFrame(text);
    if (frame.kind === 'unknown') {
      this.#log.debug({ event: frame.event }, 'unknown media stream event ignored');
      return;
    }
    if (frame.kind === 'malformed') {
      this.#log.warn({ reason: frame.reason }, 'malformed media stream frame: closing this call');
      this.#socket.close(CLOSE_INVALID_PAYLOAD, 'malformed frame');
      this.#finish({ kind: 'protocol-violation', detail: 'malformed frame' });
      return;
    }
    const message = frame.message;
    switch (message.event) {
      case 'media':
        if (this.#pace?.admit(payloadDurationMs(message.media.payload)) === false) {
          this.#flooded();
          return;
        }
        if (this.#earlyAudio === undefined) this.emit('audio', message.media.payload);
        else if (this.#earlyAudio.length < MAX_EARLY_FRAMES) this.#earlyAudio.push(message.media.payload);
        return;
      case 'mark':
        this.emit('mark', message.mark.name);
        return;
      case 'dtmf':
        this.emit('dtmf', message.dtmf.digit);
        return;
      case 'stop':
        this.#finish({ kind: 'caller-hung-up' });
        return;
      case 'connected':
      case 'start':
        return;
    }
  }

  #flooded(): void {
    this.#log.warn({ security: true }, 'caller audio faster than real time: closing this call');
    const socket = this.#socket;
    socket.close(CLOSE_POLICY_VIOLATION, 'media faster than real time');
    // Reading the rest of a flood costs what the flood costs: stop reading (TCP then holds the sender back), and
    // drop the connection once the close frame has had time to leave, not after ws's 30 s closing handshake.
    socket.pause();
    setTimeout(() => {
      socket.terminate();
    }, FLOOD_CLOSE_GRACE_MS).unref();
    this.#finish({ kind: 'media-flood' });
  }

  #finish(ending: StreamEnding): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#ending = ending;
    this.emit('ended', ending);
  }
}
