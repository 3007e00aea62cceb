import { NODE_TIMERS, type CallTimers } from './caller-silence.ts';

/**
 * MAX_CALL_MINUTES for one call (docs/caller-experience.md, "Silence and length"): counting from the stream's
 * start; then reached, when the agent is to wrap up at the next quiet moment; then wrapping up, once that goodbye
 * is being made. Each step after the count has a backstop of `graceMs`: a call that finds no quiet moment, or
 * whose wrap-up is never made, is ended regardless (`onOverrun`). Pure of the real clock: timers are passed in.
 */

export interface CallLengthLimitOptions {
  /** 0: no limit. */
  readonly maxMs: number;
  /** How long each step after the limit may take (the goodbye wait). */
  readonly graceMs: number;
  /** The limit is reached: the wrap-up is due at the next quiet moment. */
  readonly onReached: () => void;
  /** The quiet moment, or the wrap-up, did not come within `graceMs`. */
  readonly onOverrun: () => void;
  readonly timers?: CallTimers;
}

type Phase = 'counting' | 'reached' | 'wrapping-up' | 'done';

export class CallLengthLimit {
  readonly #options: CallLengthLimitOptions;
  readonly #timers: CallTimers;
  #phase: Phase = 'done';
  #timer: unknown;

  constructor(options: CallLengthLimitOptions) {
    if (!Number.isFinite(options.maxMs) || options.maxMs < 0)
      throw new RangeError(`maxMs must be 0 (no limit) or a positive number of milliseconds, not ${options.maxMs}`);
    if (!Number.isFinite(options.graceMs) || options.graceMs < 0)
      throw new RangeError(`graceMs must not be negative, not ${options.graceMs}`);
    this.#options = options;
    this.#timers = options.timers ?? NODE_TIMERS;
    if (options.maxMs > 0) {
      this.#phase = 'counting';
      this.#timer = this.#timers.set(options.maxMs, this.#reached);
    }
  }

  /** The limit is reached and the wrap-up has not begun: the next quiet moment is for it. */
  get due(): boolean {
    return this.#phase === 'reached';
  }

  /** The wrap-up is being made: from here the backstop bounds its making (the goodbye wait then its playing). */
  wrappingUp(): void {
    if (this.#phase !== 'reached') return;
    this.#phase = 'wrapping-up';
    this.#restart(this.#options.graceMs, this.#overrun);
  }

  /** The call is ending: no timer is left. */
  stop(): void {
    this.#phase = 'done';
    this.#clear();
  }

  readonly #reached = (): void => {
    this.#timer = undefined;
    if (this.#phase !== 'counting') return;
    this.#phase = 'reached';
    this.#restart(this.#options.graceMs, this.#overrun);
    this.#options.onReached();
  };

  readonly #overrun = (): void => {
    this.#timer = undefined;
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#options.onOverrun();
  };

  #restart(ms: number, action: () => void): void {
    this.#clear();
    this.#timer = this.#timers.set(ms, action);
  }

  #clear(): void {
    if (this.#timer === undefined) return;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
