import type { Limiter } from '../limits/rate-limits.ts';
import { parsePhoneInput } from '../permits/field-inputs.ts';
import type { CallRecord, CallRepository } from '../store/call-repository.ts';

/**
 * Whether the voice webhook takes a new call onto the AI path: Twilio's
 * webhooks all come from Twilio, so calls are limited by caller and by this
 * instance's capacity, not by address. In order:
 *
 * 1. calls per hour from one number (CALLS_PER_CALLER_PER_HOUR): a rate, so
 *    the shared rate limiter (Redis when configured) counts it;
 * 2. live calls from one number at once (CALLS_AT_ONCE_PER_CALLER): not a
 *    rate but a count of calls not yet ended, which the call log in the
 *    shared database already knows (the status callback sets the end), so
 *    it is counted there, in the statement that records the call;
 * 3. the bulkhead (CALLS_AT_ONCE_PER_INSTANCE): calls on the AI path on this
 *    instance (live, arriving, or being answered now); over it, the call goes
 *    to the keypad IVR, which holds no model session. The count is the
 *    orchestrator's, so it is exact but for one moment: a call whose early
 *    model session failed is in neither of its counts while the session is
 *    opened again at stream start (up to MODEL_CONNECT_TIMEOUT_MS). A stream
 *    that lands on another instance is counted where it was answered.
 *
 * A withheld or unusable caller ID ("anonymous", a placeholder number) is
 * limited by the bulkhead only. Giving every withheld caller one shared
 * bucket would let one of them lock out all the others (people who withhold
 * their number for good reasons), and a bucket per text would be meaningless;
 * the bulkhead still bounds what they can cost, and Twilio can refuse
 * anonymous calls outright if they are abused. The rule for "identifies a
 * caller" is the one ResumableDrafts uses.
 */

export type CallRefusal = 'caller-calls-per-hour' | 'caller-on-another-call' | 'instance-full';

export interface CallLimits {
  /** Counts calls per hour by caller number (0 points: no limit). */
  readonly callsPerCaller: Limiter;
  /** 0: no limit. */
  readonly atOncePerCaller: number;
  /** 0: no bulkhead. */
  readonly atOncePerInstance: number;
}

export interface CallAdmissionDeps extends CallLimits {
  readonly calls: Pick<CallRepository, 'find' | 'recordIncomingUnlessBusy'>;
  /** Calls on the AI path on this instance now: live, and answered but not yet streaming. */
  readonly callsInProgress: () => number;
  readonly now?: () => Date;
}

/**
 * The call's row as the webhook read it before anything was decided (undefined: not recorded yet), so that the
 * admission and the orchestrator do not each read it again.
 */
export interface SeenCall {
  readonly call: CallRecord | undefined;
}

/** What admit needs of the HTTP response: to know when the webhook's answer is finished. */
export interface ClosingResponse {
  once(event: 'close', listener: () => void): unknown;
}

// A call never lasts longer than Twilio's own limit (4 hours by default): a call whose final status callback was
// lost stops counting as live after this.
const LIVE_CALL_WINDOW_MS = 4 * 60 * 60 * 1000;

export class CallAdmission {
  readonly #d: CallAdmissionDeps;
  readonly #now: () => Date;
  // Webhooks admitted whose answer is not finished yet: the orchestrator does not count them until it has prepared them.
  #answering = 0;

  constructor(deps: CallAdmissionDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Undefined when the call may go on; otherwise why not. `response` is the webhook's, held until it is answered. */
  async admit(
    callSid: string,
    from: string,
    status: string,
    response: ClosingResponse,
    seen?: SeenCall,
  ): Promise<CallRefusal | undefined> {
    // A retried webhook was admitted the first time (the call was recorded then): answer it the same way.
    const recorded = seen === undefined ? await this.#d.calls.find(callSid) : seen.call;
    if (recorded !== undefined) return undefined;
    if (parsePhoneInput(from) !== undefined) {
      if (!(await this.#d.callsPerCaller.take(from)).allowed) return 'caller-calls-per-hour';
      if (this.#d.atOncePerCaller > 0) {
        const since = new Date(this.#now().getTime() - LIVE_CALL_WINDOW_MS);
        const limit = { atOnce: this.#d.atOncePerCaller, since };
        if (!(await this.#d.calls.recordIncomingUnlessBusy(callSid, from, status, limit)))
          return 'caller-on-another-call';
      }
    }
    // No await from here until the count is taken: two webhooks on this instance cannot both take the last place.
    const cap = this.#d.atOncePerInstance;
    if (cap > 0 && this.#d.callsInProgress() + this.#answering >= cap) return 'instance-full';
    this.#answering++;
    response.once('close', () => {
      this.#answering--;
    });
    return undefined;
  }
}
