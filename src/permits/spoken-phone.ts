import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { numberWord, plainWords, type NumberLanguage } from './number-words.ts';

/**
 * Phone numbers as callers say them: digit by digit with pauses ("four two five, five five five, oh one eight
 * seven"), with "double five" and "triple five", "area code 425, 555-0187", an extension at the end; written forms
 * too ("+1 425 555 0187", "425.555.0187"). Only North American (+1) numbers are taken; another country's valid
 * number is named as such so the caller hears why it was refused.
 */

export type PhoneReading =
  | { kind: 'phone'; e164: string; extension?: string }
  | { kind: 'not-north-american'; country?: string }
  | { kind: 'unreadable'; digitsHeard: string };

const MAX_INPUT_LENGTH = 120;
const NORTH_AMERICAN_CALLING_CODE = '1';
// "extension 12", "ext. 12", "x12", "extensión 12" at the end of the answer.
// Bounded input (MAX_INPUT_LENGTH) and a bounded tail: no runaway backtracking.

const EXTENSION = /(?:^|[\s,]|(?<=\d))(?:extension|extensión|ext\.?|x)\s*([\w\s-]{1,40})$/i;
const REPEATS: Readonly<Record<string, number>> = { double: 2, doble: 2, triple: 3 };
// Words that carry no digit: "area code 425", "my number is", "el número es".
const FILLER = new Set([
  'area',
  'code',
  'my',
  'number',
  'is',
  'its',
  "it's",
  'the',
  'and',
  'el',
  'numero',
  'es',
  'mi',
  'codigo',
  'de',
  'plus',
  'mas',
]);

export function readSpokenPhone(text: string, language: NumberLanguage = 'en'): PhoneReading {
  if (text.length > MAX_INPUT_LENGTH) return { kind: 'unreadable', digitsHeard: '' };
  const extensionMatch = EXTENSION.exec(text);
  const number = extensionMatch === null ? text : text.slice(0, extensionMatch.index);
  const extension = extensionMatch === null ? undefined : digitsOf(extensionMatch[1] ?? '', language);
  // An extension said but not read digit by digit ("extension twelve") is asked again, never dropped.
  if (extensionMatch !== null && (extension ?? '') === '')
    return { kind: 'unreadable', digitsHeard: digitsOf(number, language) ?? '' };

  // A written number with a country code ("+44 20 7946 0018") is libphonenumber's to judge.
  if (number.trim().startsWith('+')) {
    const written = parsePhoneNumberFromString(number.trim());
    if (written?.isValid() === true) {
      if (written.countryCallingCode !== NORTH_AMERICAN_CALLING_CODE)
        return written.country === undefined
          ? { kind: 'not-north-american' }
          : { kind: 'not-north-american', country: written.country };
      return withExtension(written.number, extension);
    }
  }
  const digits = digitsOf(number, language);
  if (digits === undefined) return { kind: 'unreadable', digitsHeard: '' };
  const national = digits.length === 11 && digits.startsWith(NORTH_AMERICAN_CALLING_CODE) ? digits.slice(1) : digits;
  if (national.length !== 10) return { kind: 'unreadable', digitsHeard: digits };
  const phone = parsePhoneNumberFromString(`+1${national}`);
  if (phone?.isValid() !== true) return { kind: 'unreadable', digitsHeard: digits };
  return withExtension(phone.number, extension);
}

function withExtension(e164: string, extension: string | undefined): PhoneReading {
  return extension === undefined ? { kind: 'phone', e164 } : { kind: 'phone', e164, extension };
}

/** Every digit said or written, in order; undefined when a word is neither a digit, a repeat nor filler. */
function digitsOf(text: string, language: NumberLanguage): string | undefined {
  const tokens = plainWords(text)
    .replace(/[()+.,;:/-]/g, ' ')
    .split(/\s+/)
    .filter((t) => t !== '');
  let digits = '';
  let repeat = 1;
  for (const token of tokens) {
    if (/^\d+$/.test(token)) {
      digits += token[0]?.repeat(repeat) ?? '';
      digits += token.slice(1);
      repeat = 1;
      continue;
    }
    const times = REPEATS[token];
    if (times !== undefined) {
      repeat = times;
      continue;
    }
    if (FILLER.has(token)) continue;
    const value = numberWord(token, language) ?? numberWord(token, language === 'en' ? 'es' : 'en');
    if (value === undefined || value > 9) return undefined;
    digits += String(value).repeat(repeat);
    repeat = 1;
  }
  return digits;
}
