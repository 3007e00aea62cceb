import { parsePhoneInput } from '../permits/field-inputs.ts';
import type { ApplicationRepository } from '../store/application-repository.ts';
import type { CallRepository } from '../store/call-repository.ts';

/**
 * How long an unfinished application waits for its applicant, on every
 * channel: a caller who phones again within it carries on with their draft
 * (the voice agent and the keypad IVR alike), the link texted to finish on the
 * web opens it for as long, and callers are told so in these words.
 */
export const RESUME_WINDOW_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
const SECONDS_PER_DAY = 24 * 60 * 60;
export const RESUME_WINDOW_SECONDS = RESUME_WINDOW_DAYS * SECONDS_PER_DAY;

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'] as const;

/** The window as a caller hears it and a text says it: "seven days". */
export function resumeWindowInWords(days: number = RESUME_WINDOW_DAYS): string {
  const word = Number.isInteger(days) && days >= 0 ? (NUMBER_WORDS[days] ?? String(days)) : String(days);
  return `${word} ${days === 1 ? 'day' : 'days'}`;
}

export interface ResumableDraftsDeps {
  readonly applications: Pick<ApplicationRepository, 'findDraftByContactPhone'>;
  readonly calls: Pick<CallRepository, 'recentDraftOfCaller'>;
  readonly now?: () => Date;
}

/**
 * The one rule for "which draft does this caller carry on with": the most
 * recent unfinished application, changed within the window, whose contact
 * phone is the caller's number, or else the one a recent call from that
 * number was working on. Only a North American number we could text
 * identifies a caller: every withheld caller ID ("anonymous") is the same
 * text, so it matches nothing and no caller ever opens another's answers.
 */
export class ResumableDrafts {
  readonly #applications: ResumableDraftsDeps['applications'];
  readonly #calls: ResumableDraftsDeps['calls'];
  readonly #now: () => Date;

  constructor(deps: ResumableDraftsDeps) {
    this.#applications = deps.applications;
    this.#calls = deps.calls;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The id of the draft `callerId` may carry on with, or undefined to start afresh. */
  async findFor(callerId: string): Promise<string | undefined> {
    if (parsePhoneInput(callerId) === undefined) return undefined;
    const since = new Date(this.#now().getTime() - RESUME_WINDOW_DAYS * DAY_MS);
    const byContactPhone = await this.#applications.findDraftByContactPhone(callerId, since);
    return byContactPhone?.id ?? (await this.#calls.recentDraftOfCaller(callerId, since));
  }
}
