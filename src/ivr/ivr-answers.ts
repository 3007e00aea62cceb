import type { UnderstoodWords } from './ivr-lines.ts';

/**
 * What a caller gave at a <Gather input="dtmf speech">, as Twilio posts it
 * (Digits, or SpeechResult with its Confidence), and how it is read: a key
 * or a word for a menu choice, four or eight keys for a date. Pure.
 */

export type Heard =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'keys'; readonly digits: string }
  | { readonly kind: 'speech'; readonly text: string }
  /** Speech the recogniser itself was unsure of: treated as not understood, never saved. */
  | { readonly kind: 'unclear' };

export interface GatherResult {
  readonly Digits?: string | undefined;
  readonly SpeechResult?: string | undefined;
  readonly Confidence?: string | undefined;
}

// Twilio's keypad alphabet; anything else in Digits is not a key press.
const KEYS = /^[0-9*#]{1,32}$/;
const MAX_SPEECH_CHARS = 500;

/**
 * Keys win over speech (Twilio sends one or the other). A SpeechResult with a
 * Confidence below `minConfidence` is unclear. Without a Confidence the
 * speech is taken: the read-back and keypad confirmation that follow every
 * spoken answer catch a mishearing.
 */
export function classifyGather(result: GatherResult, minConfidence: number): Heard {
  const digits = result.Digits?.trim() ?? '';
  if (digits !== '') return KEYS.test(digits) ? { kind: 'keys', digits } : { kind: 'unclear' };
  const text = (result.SpeechResult ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_SPEECH_CHARS);
  if (text === '') return { kind: 'nothing' };
  const confidence =
    result.Confidence === undefined || result.Confidence.trim() === '' ? undefined : Number(result.Confidence);
  if (confidence !== undefined && !(confidence >= minConfidence)) return { kind: 'unclear' };
  return { kind: 'speech', text };
}

export interface MenuOption<T> {
  readonly value: T;
  /** The key that chooses it ('1'…'9'). */
  readonly key: string;
  /** Words that choose it when spoken. */
  readonly words: readonly string[];
}

/** Lower case, punctuation gone: "Yes, that's right." → "yes that's right". */
function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function containsPhrase(spoken: string, phrase: string): boolean {
  return ` ${spoken} `.includes(` ${normalize(phrase)} `);
}

/**
 * The option a key press or a spoken answer chooses. Speech may name the key
 * ("one", "1") or say one of the option's words; when it fits more than one
 * option ("no, that's right") it chooses none, and the caller is asked again.
 */
export function chooseOption<T>(
  heard: Heard,
  options: readonly MenuOption<T>[],
  understood: UnderstoodWords,
): T | undefined {
  if (heard.kind === 'keys') return options.find((o) => o.key === heard.digits)?.value;
  if (heard.kind !== 'speech') return undefined;
  const spoken = normalize(heard.text);
  const chosen = options.filter((o) => {
    const keyWords = [o.key, ...(understood.digits[o.key] ?? [])];
    return [...keyWords, ...o.words].some((word) => containsPhrase(spoken, word));
  });
  return chosen.length === 1 ? chosen[0]?.value : undefined;
}

/** Whether the caller said they want a person ("an agent", "una persona"), in their language's words. */
export function asksForPerson(heard: Heard, understood: UnderstoodWords): boolean {
  if (heard.kind !== 'speech') return false;
  const spoken = normalize(heard.text);
  return understood.person.some((word) => containsPhrase(spoken, word));
}

export function yesNoOptions(understood: UnderstoodWords): MenuOption<boolean>[] {
  return [
    { value: true, key: '1', words: understood.yes },
    { value: false, key: '2', words: understood.no },
  ];
}

const MONTH_DAY_KEYS = 4;
const MONTH_DAY_YEAR_KEYS = 8;

/**
 * Keys for a date as the shared date parser reads them: MMDD → "MM/DD"
 * (the next such day, the same rule the form and the agent use), MMDDYYYY →
 * "MM/DD/YYYY". Any other count of keys is not a date.
 */
export function dateFromKeys(digits: string): string | undefined {
  if (!/^\d+$/.test(digits)) return undefined;
  const month = digits.slice(0, 2);
  const day = digits.slice(2, 4);
  if (digits.length === MONTH_DAY_KEYS) return `${month}/${day}`;
  if (digits.length === MONTH_DAY_YEAR_KEYS) return `${month}/${day}/${digits.slice(4)}`;
  return undefined;
}
