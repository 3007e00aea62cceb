import twilio from 'twilio';
import { SPEECH_TAGS, type Language } from '../permits/language.ts';
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

/** A line in the reply's language, or one in a language of its own (the welcome's offer of Spanish, in Spanish). */
export type SpokenLine = string | { readonly text: string; readonly language: Language };

/**
 * `language` is the call's: every <Say> and the <Gather>'s recogniser use its speech tag. `dial`: the caller is
 * put through to `number`; `afterwards` is said only when nobody answers (Twilio goes on to the next verb).
 */
export type IvrReply =
  | {
      readonly kind: 'ask';
      readonly language: Language;
      readonly say: readonly SpokenLine[];
      readonly visit: StepVisit;
      readonly answer: AnswerKind;
      readonly hints?: readonly string[];
    }
  | { readonly kind: 'hang-up'; readonly language: Language; readonly say: readonly SpokenLine[] }
  | {
      readonly kind: 'dial';
      readonly language: Language;
      readonly say: readonly SpokenLine[];
      readonly number: string;
      readonly afterwards: readonly SpokenLine[];
    };

/** Gather timing and recognition settings: Twilio's own defaults, except where a phone caller needs longer. The language is the call's (SPEECH_TAGS). */
export const GATHER_SETTINGS = {
  /** Seconds Twilio waits for the first key or word. */
  timeoutSeconds: 6,
  /** Keys for a date come one by one; this is also Twilio's wait between keys. */
  keysTimeoutSeconds: 8,
  finishOnKey: '#',
  /** Twilio ends speech at a natural pause. */
  speechTimeout: 'auto',
  /** The welcome's language offer waits this long for a 2; then the call carries on in English. */
  languageOfferTimeoutSeconds: 3,
} as const;

/** As long as the AI path lets the staff line ring (voice-webhooks.ts), before the caller is told nobody answered. */
export const STAFF_DIAL_TIMEOUT_SECONDS = 25;

// The two tags SPEECH_TAGS holds, as Twilio's typings spell the ones it has voices and recognisers for.
type TwilioSpeechTag = 'en-US' | 'es-US';

type Sayer = Pick<ReturnType<twilio.twiml.VoiceResponse['gather']>, 'say'>;

function sayAll(to: Sayer, lines: readonly SpokenLine[], language: Language): void {
  for (const line of lines) {
    const [text, lang] = typeof line === 'string' ? [line, language] : [line.text, line.language];
    to.say({ language: SPEECH_TAGS[lang] as TwilioSpeechTag }, text);
  }
}

export function renderIvrReply(reply: IvrReply, publicBaseUrl: URL): string {
  const response = new twilio.twiml.VoiceResponse();
  if (reply.kind === 'hang-up') {
    sayAll(response, reply.say, reply.language);
    response.hangup();
    return response.toString();
  }
  if (reply.kind === 'dial') {
    sayAll(response, reply.say, reply.language);
    response.dial({ timeout: STAFF_DIAL_TIMEOUT_SECONDS }, reply.number);
    sayAll(response, reply.afterwards, reply.language);
    response.hangup();
    return response.toString();
  }
  const action = stepUrl(reply.visit, publicBaseUrl);
  const timeout =
    reply.visit.step === 'language' ? GATHER_SETTINGS.languageOfferTimeoutSeconds : GATHER_SETTINGS.timeoutSeconds;
  const gather = response.gather({
    input: ['dtmf', 'speech'],
    action,
    method: 'POST',
    language: SPEECH_TAGS[reply.language] as TwilioSpeechTag,
    speechTimeout: GATHER_SETTINGS.speechTimeout,
    ...(reply.answer === 'menu' ? { numDigits: 1, timeout } : {}),
    ...(reply.answer === 'keys'
      ? { finishOnKey: GATHER_SETTINGS.finishOnKey, timeout: GATHER_SETTINGS.keysTimeoutSeconds }
      : {}),
    ...(reply.answer === 'speech' ? { timeout: GATHER_SETTINGS.timeoutSeconds } : {}),
    ...(reply.hints === undefined || reply.hints.length === 0 ? {} : { hints: reply.hints.join(', ') }),
  });
  sayAll(gather, reply.say, reply.language);
  response.redirect({ method: 'POST' }, action);
  return response.toString();
}
