import type { EventEmitter } from 'node:events';

/** The phone side of a call, as the call bridge sees it: Twilio's media stream after its `start`. */
export interface TelephonyStreamEvents {
  audio: [payload: string];
  mark: [name: string];
  dtmf: [digit: string];
  /** The caller hung up or the stream ended (Twilio's `stop`, or the socket closed). */
  ended: [reason: string];
}

export interface TelephonyStream extends Pick<EventEmitter<TelephonyStreamEvents>, 'on' | 'once' | 'off'> {
  readonly callSid: string;
  readonly streamSid: string;
  readonly isEnded: boolean;
  /**
   * Caller audio received before anyone listened (while the model session was being connected), in
   * order. After this call, audio is emitted as it arrives. Losing it would also skew the call clock.
   */
  takeEarlyAudio(): string[];
  sendAudio(payload: string): void;
  sendMark(name: string): void;
  /** Drops audio Twilio has buffered but not played; Twilio echoes the pending marks. */
  clear(): void;
  /** Closing the socket is how we end <Connect>: Twilio then requests the action URL. */
  close(reason: string): void;
}
