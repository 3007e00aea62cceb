import type { EventEmitter } from 'node:events';
import type { StreamEnding } from './call-ending.ts';

/** The phone side of a call, as the call bridge sees it: Twilio's media stream after its `start`. */
export interface TelephonyStreamEvents {
  audio: [payload: string];
  mark: [name: string];
  dtmf: [digit: string];
  /** The caller hung up or the stream ended (Twilio's `stop`, the socket closed, or a frame broke the protocol). */
  ended: [ending: StreamEnding];
}

export interface TelephonyStream extends Pick<EventEmitter<TelephonyStreamEvents>, 'on' | 'once' | 'off'> {
  readonly callSid: string;
  readonly streamSid: string;
  /** How the stream ended on its own (`stop`, a lost socket, a bad frame); undefined while live or after we closed it. */
  readonly ending: StreamEnding | undefined;
  /**
   * Caller audio received before anyone listened (while the model session was being connected), in
   * order. After this call, audio is emitted as it arrives. Losing it would also skew the call clock.
   */
  takeEarlyAudio(): string[];
  sendAudio(payload: string): void;
  sendMark(name: string): void;
  /** Drops audio Twilio has buffered but not played; Twilio echoes the pending marks. */
  clear(): void;
  /** Closing the socket is how we end <Connect>: Twilio then requests the action URL. `reason` goes in the close frame. */
  close(reason: string): void;
}
