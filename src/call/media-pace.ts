import { performance } from 'node:perf_hooks';
import { FRAME_MS } from '../protocols/media-stream-messages.ts';

/**
 * How fast a caller's audio may arrive: a token bucket counted in
 * milliseconds of audio. It refills at `maxPace` ms of audio per ms of wall
 * time (1 is real time, which is what Twilio streams) and holds at most
 * `burstMs`, so audio held back by a network stall may arrive at once, up to
 * that much. A stream that runs further ahead of the clock is not a phone
 * call: it is closed before it can fill memory, the model session or the
 * recording. Clock-free but for `now`, so tests drive it.
 */

export interface MediaPaceLimits {
  /** Long-run ms of audio per ms of wall time; 1 is real time. */
  readonly maxPace: number;
  /** Audio that may arrive ahead of the pace at once, in ms (Twilio's catch-up after a stall). */
  readonly burstMs: number;
}

export class MediaPace {
  readonly #limits: MediaPaceLimits;
  readonly #now: () => number;
  #allowanceMs: number;
  #at: number;

  constructor(limits: MediaPaceLimits, now: () => number = () => performance.now()) {
    if (!(limits.maxPace > 0) || !(limits.burstMs >= 0))
      throw new RangeError(
        `MediaPace needs a positive pace and a burst of 0 ms or more, not ${JSON.stringify(limits)}`,
      );
    this.#limits = limits;
    this.#now = now;
    this.#allowanceMs = limits.burstMs;
    this.#at = now();
  }

  /**
   * Counts one media frame of `audioMs`; false once the stream is ahead of the clock by more than the burst.
   * Twilio's frames are 20 ms each, so a frame counts as at least that much: a flood of empty frames is a flood.
   */
  admit(audioMs: number): boolean {
    const now = this.#now();
    const refill = Math.max(0, now - this.#at) * this.#limits.maxPace;
    this.#allowanceMs = Math.min(this.#limits.burstMs, this.#allowanceMs + refill);
    this.#at = now;
    this.#allowanceMs -= Math.max(audioMs, FRAME_MS);
    return this.#allowanceMs >= 0;
  }
}
