import { z } from 'zod';

/**
 * The IVR's steps and the URLs Twilio posts each answer to. The URL carries
 * all the IVR's own state (which step, which round, which try), and the
 * draft carries the answers: so any instance can answer any step, and a
 * retried POST (same URL, same body) finds the same state and gets the same
 * TwiML. Pure.
 */

export const IVR_ENTRY_PATH = '/twilio/ivr';
export const IVR_STEP_PATH = '/twilio/ivr/step';

export const IVR_STEPS = [
  // The welcome's "para español, oprima 2": the call's language, chosen once.
  'language',
  'permit-type',
  'callback',
  'business-name',
  'business-name-check',
  'address',
  'address-check',
  'start-date',
  'end-date',
  'review',
  'web-link',
  // After keypad 0 while nobody can answer the staff line: a call back, the web link, or carry on.
  'call-back-offer',
] as const;
export type IvrStep = (typeof IVR_STEPS)[number];

/** The steps that ask for a field, in the order the IVR goes through them. */
export const IVR_QUESTIONS = [
  'permit-type',
  'callback',
  'business-name',
  'address',
  'start-date',
  'end-date',
] as const satisfies readonly IvrStep[];
export type IvrQuestion = (typeof IVR_QUESTIONS)[number];

/**
 * One presentation of a step. `round` 2 is the second hearing of a spoken
 * answer the caller said was wrong; `attempt` 2 is the step asked again
 * after no answer, an unclear one or an invalid one.
 */
export interface StepVisit {
  readonly step: IvrStep;
  readonly round: 1 | 2;
  readonly attempt: 1 | 2;
}

export function visit(step: IvrStep, options: { round?: 1 | 2; attempt?: 1 | 2 } = {}): StepVisit {
  return { step, round: options.round ?? 1, attempt: options.attempt ?? 1 };
}

export function isIvrStep(value: string): value is IvrStep {
  return (IVR_STEPS as readonly string[]).includes(value);
}

/** The step's URL on the public origin; the defaults are left out, so a first visit has no query string. */
export function stepUrl(v: StepVisit, publicBaseUrl: URL): string {
  const url = new URL(`${IVR_STEP_PATH}/${v.step}`, publicBaseUrl);
  if (v.round !== 1) url.searchParams.set('round', String(v.round));
  if (v.attempt !== 1) url.searchParams.set('attempt', String(v.attempt));
  return url.href;
}

const oneOrTwo = z
  .enum(['1', '2'])
  .default('1')
  .transform((value) => (value === '2' ? 2 : 1));
const stepQuery = z.object({ round: oneOrTwo, attempt: oneOrTwo });

/** The visit a step URL names, or undefined for a step or query this IVR never builds. */
export function parseVisit(step: string, query: unknown): StepVisit | undefined {
  if (!isIvrStep(step)) return undefined;
  const parsed = stepQuery.safeParse(query);
  return parsed.success ? { step, ...parsed.data } : undefined;
}
