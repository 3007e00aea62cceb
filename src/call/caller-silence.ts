/**
 * How long the caller has said nothing while it was their turn, and what the
 * agent does about it (docs/caller-experience.md, "Silence and length"): the
 * first silence of `afterMs` asks whether they are still there, a second one in
 * a row says goodbye. The wait runs only while the line is quiet (the agent has
 * nothing left to play and no response is being made): an agent that talks, or
 * a model that thinks, is never the caller's silence. Pure of the real clock:
 * the timers are passed in, so tests move time themselves.
 */

/** What the agent is to do after a silence: ask once, then part. */
export type SilenceStep = 'ask-if-still-there' | 'say-goodbye';

/** setTimeout and clearTimeout, or a test's fake of them. */
export interface CallTimers {
  set(ms: number, action: () => void): unknown;
  clear(handle: unknown): void;
}

export const NODE_TIMERS: CallTimers = {
  set: (ms, action) => setTimeout(action, ms),
  clear: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export interface CallerSilenceOptions {
  /** 0: silence never ends a call. */
  readonly afterMs: number;
  readonly onSilence: (step: SilenceStep) => void;
  readonly timers?: CallTimers;
}

export class CallerSilence {
  readonly #afterMs: number;
  readonly #onSilence: (step: SilenceStep) => void;
  readonly #timers: CallTimers;
  #waiting: unknown;
  #asked = false;
  #stopped = false;

  constructor(options: CallerSilenceOptions) {
    if (!Number.isFinite(options.afterMs) || options.afterMs < 0)
      throw new RangeError(`afterMs must be 0 (off) or a positive number of milliseconds, not ${options.afterMs}`);
    this.#afterMs = options.afterMs;
    this.#onSilence = options.onSilence;
    this.#timers = options.timers ?? NODE_TIMERS;
  }

  /** The line is quiet and it is the caller's turn: the wait starts, unless it is already running. */
  quiet(): void {
    if (this.#stopped || this.#afterMs === 0 || this.#waiting !== undefined) return;
    this.#waiting = this.#timers.set(this.#afterMs, this.#expired);
  }

  /** The agent speaks or a response is being made: not the caller's silence. The next quiet moment waits anew. */
  busy(): void {
    this.#cancel();
  }

  /** The caller spoke: they are there, and a later silence is asked about again. */
  callerSpoke(): void {
    this.#cancel();
    this.#asked = false;
  }

  /** The call is ending: nothing more is asked. */
  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  readonly #expired = (): void => {
    this.#waiting = undefined;
    if (this.#stopped) return;
    if (this.#asked) {
      this.#stopped = true;
      this.#onSilence('say-goodbye');
      return;
    }
    this.#asked = true;
    this.#onSilence('ask-if-still-there');
  };

  #cancel(): void {
    if (this.#waiting === undefined) return;
    this.#timers.clear(this.#waiting);
    this.#waiting = undefined;
  }
}
