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
  sendAudio(payload: string): void;
  sendMark(name: string): void;
  /** Drops audio Twilio has buffered but not played; Twilio echoes the pending marks. */
  clear(): void;
  /** Closing the socket is how we end <Connect>: Twilio then requests the action URL. */
  close(reason: string): void;
}
