import twilio from 'twilio';
import { stepUrl, type StepVisit } from './ivr-steps.ts';

/**
 * The IVR's answer to one webhook, as data, and its TwiML. Every question
 * is a <Gather input="dtmf speech"> whose prompt can be interrupted by a key,
 * followed by a <Redirect> to the same URL: Twilio carries on past a Gather
 * that heard nothing, so the step is posted again without Digits or
 * SpeechResult, and that is how "no answer" reaches the step. Pure.
 */

/** How a question is answered: one key (menus, yes/no), keys ended by # (dates), or a spoken phrase. */
export type AnswerKind = 'menu' | 'keys' | 'speech';

export type IvrReply =
  | {
      readonly kind: 'ask';
      readonly say: readonly string[];
      readonly visit: StepVisit;
      readonly answer: AnswerKind;
      readonly hints?: readonly string[];
    }
  | { readonly kind: 'hang-up'; readonly say: readonly string[] };

/** Gather timing and recognition settings: Twilio's own defaults, except where a phone caller needs longer. */
export const GATHER_SETTINGS = {
  language: 'en-US',
  /** Seconds Twilio waits for the first key or word. */
  timeoutSeconds: 6,
  /** Keys for a date come one by one; this is also Twilio's wait between keys. */
  keysTimeoutSeconds: 8,
  finishOnKey: '#',
  /** Twilio ends speech at a natural pause. */
  speechTimeout: 'auto',
} as const;

export function renderIvrReply(reply: IvrReply, publicBaseUrl: URL): string {
  const response = new twilio.twiml.VoiceResponse();
  if (reply.kind === 'hang-up') {
    for (const line of reply.say) response.say(line);
    response.hangup();
    return response.toString();
  }
  const action = stepUrl(reply.visit, publicBaseUrl);
  const gather = response.gather({
    input: ['dtmf', 'speech'],
    action,
    method: 'POST',
    language: GATHER_SETTINGS.language,
    speechTimeout: GATHER_SETTINGS.speechTimeout,
    ...(reply.answer === 'menu' ? { numDigits: 1, timeout: GATHER_SETTINGS.timeoutSeconds } : {}),
    ...(reply.answer === 'keys'
      ? { finishOnKey: GATHER_SETTINGS.finishOnKey, timeout: GATHER_SETTINGS.keysTimeoutSeconds }
      : {}),
    ...(reply.answer === 'speech' ? { timeout: GATHER_SETTINGS.timeoutSeconds } : {}),
    ...(reply.hints === undefined || reply.hints.length === 0 ? {} : { hints: reply.hints.join(', ') }),
  });
  for (const line of reply.say) gather.say(line);
  response.redirect({ method: 'POST' }, action);
  return response.toString();
}
