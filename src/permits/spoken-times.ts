import { numberWord, plainWords, type NumberLanguage } from './number-words.ts';

/**
 * Times as callers say them: "nine in the morning", "half past six in the evening", "10 at night", "17:00 hours",
 * "de nueve a cinco". A time said without morning or evening is not guessed ("needs-meridiem"), except in a range
 * read as a working day: "from 9 to 5" is 09:00–17:00, because 9 PM to 5 AM is not how anyone says a night
 * shift without saying so (docs/caller-experience.md).
 */

export type TimeReading =
  | { kind: 'time'; time: string }
  | { kind: 'range'; open: string; close: string }
  | { kind: 'needs-meridiem'; hour: number; minute: number }
  | { kind: 'unreadable' };

const MAX_INPUT_LENGTH = 80;
const DIGITS_HYPHENATED = /\d\s*-\s*\d/;
const HALF_DAY = 12;

type Meridiem = 'am' | 'pm';

/** One clock time as heard: hour and minute, and the part of the day when one was said. */
interface HeardTime {
  readonly hour: number;
  readonly minute: number;
  readonly meridiem: Meridiem | undefined;
  /** Said on a 24-hour clock ("17:00", "09:30"): needs no part of the day. */
  readonly twentyFourHour: boolean;
}

// Parts of the day, longest first so "in the morning" wins over "morning".
const PARTS_OF_DAY: readonly (readonly [RegExp, Meridiem])[] = [
  [/(?<=^|\s|\d)(?:in the morning|this morning|morning|de la manana|por la manana|a\.?\s?m\.?)$/, 'am'],
  [
    /(?<=^|\s|\d)(?:in the afternoon|in the evening|at night|tonight|afternoon|evening|night|de la tarde|de la noche|por la tarde|por la noche|p\.?\s?m\.?)$/,
    'pm',
  ],
];

export function readSpokenTime(text: string, language: NumberLanguage = 'en'): TimeReading {
  if (text.length > MAX_INPUT_LENGTH) return { kind: 'unreadable' };
  const said = plainWords(text)
    .replace(/[,!?]/g, ' ')
    .replace(/\b(?:o['’]?\s?clock|hours|hrs|en punto|horas)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:at|around|about|a las|las|la|from|de|desde|between|entre)\s+/, '');
  // One time first: "quarter to five" is a time, not a range from a quarter to five. A hyphen between two numbers
  // ("9-5") is a range, never a time with its minutes ("9:05").
  const heard = DIGITS_HYPHENATED.test(said) ? undefined : heardTime(said, language);
  if (heard !== undefined) return resolved(heard);
  const range = splitRange(said, language);
  return range === undefined ? { kind: 'unreadable' } : readRange(range[0], range[1], language);
}

function splitRange(said: string, language: NumberLanguage): readonly [string, string] | undefined {
  const separators =
    language === 'es' ? [' a ', ' hasta ', ' y las ', '-'] : [' to ', ' until ', ' till ', ' through ', ' and ', '-'];
  for (const separator of separators) {
    const at = said.indexOf(separator);
    if (at > 0) {
      // "de las nueve a las cinco": the article goes with each end. An empty end ("9-") is no time.
      const end = (part: string) => part.trim().replace(/^(?:las|la)\s+/, '');
      return [end(said.slice(0, at)), end(said.slice(at + separator.length))];
    }
  }
  return undefined;
}

function readRange(first: string, second: string, language: NumberLanguage): TimeReading {
  const open = heardTime(first, language);
  const close = heardTime(second, language);
  if (open === undefined || close === undefined) return { kind: 'unreadable' };
  const [openTime, closeTime] = rangeTimes(open, close);
  if (openTime === undefined || closeTime === undefined || openTime >= closeTime) return { kind: 'unreadable' };
  return { kind: 'range', open: clock(openTime), close: clock(closeTime) };
}

/** Minutes after midnight of each end; a missing part of the day is taken from the other end, or the working day. */
function rangeTimes(open: HeardTime, close: HeardTime): readonly [number | undefined, number | undefined] {
  const known = (t: HeardTime) => t.meridiem !== undefined || t.twentyFourHour;
  if (known(open) && known(close)) return [minutesOf(open), minutesOf(close)];
  if (known(close)) {
    const end = minutesOf(close);
    if (end === undefined) return [undefined, undefined];
    // The same part of the day as the close if that opens before it ("9 to 11 am"), else the morning ("9 to 5 pm").
    const same = minutesOf({ ...open, meridiem: close.meridiem === 'pm' ? 'pm' : 'am' });
    return [same !== undefined && same < end ? same : minutesOf({ ...open, meridiem: 'am' }), end];
  }
  if (known(open)) {
    const start = minutesOf(open);
    if (start === undefined) return [undefined, undefined];
    // The morning if that closes after the opening ("9 am to 11"), else the afternoon ("6 pm to 11"): after a
    // pm opening only the afternoon can.
    const same = minutesOf({ ...close, meridiem: 'am' });
    return [start, same !== undefined && same > start ? same : minutesOf({ ...close, meridiem: 'pm' })];
  }
  // Neither said: only the working-day reading, a morning (or noon) opening and an afternoon close ("9 to 5",
  // "8 to 4:30", "12 to 5"). Hours past 12 have no morning or afternoon: minutesOf refuses them.
  if (close.hour > open.hour) return [undefined, undefined];
  const opening = open.hour === HALF_DAY ? 'pm' : 'am';
  return [minutesOf({ ...open, meridiem: opening }), minutesOf({ ...close, meridiem: 'pm' })];
}

function resolved(heard: HeardTime): TimeReading {
  const minutes = minutesOf(heard);
  if (minutes !== undefined) return { kind: 'time', time: clock(minutes) };
  if (heard.hour >= 1 && heard.hour <= HALF_DAY)
    return { kind: 'needs-meridiem', hour: heard.hour, minute: heard.minute };
  return { kind: 'unreadable' };
}

/** Minutes after midnight, or undefined when the part of the day is needed and was not said (or the time is not one). */
function minutesOf(t: HeardTime): number | undefined {
  if (t.meridiem === undefined) {
    if (!t.twentyFourHour || t.hour > 23) return undefined;
    return t.hour * 60 + t.minute;
  }
  if (t.hour < 1 || t.hour > HALF_DAY) return undefined;
  return ((t.hour % HALF_DAY) + (t.meridiem === 'pm' ? HALF_DAY : 0)) * 60 + t.minute;
}

function heardTime(phrase: string, language: NumberLanguage): HeardTime | undefined {
  // Noon is 12 pm and midnight 12 am.
  if (/^(?:12 |twelve |doce )?(?:noon|midday|mediodia)$/.test(phrase)) return twelve('pm');
  if (/^(?:12 |twelve |doce )?(?:midnight|medianoche)$/.test(phrase)) return twelve('am');
  let rest = phrase;
  let meridiem: Meridiem | undefined;
  for (const [pattern, part] of PARTS_OF_DAY) {
    const match = pattern.exec(rest);
    if (match) {
      meridiem = part;
      rest = rest.slice(0, match.index).trim();
      break;
    }
  }
  // "12 at night" is midnight, "12 in the afternoon" noon.
  const clockTime = clockOf(rest, language);
  // "9:75" is no time, whether or not a part of the day was said.
  if (clockTime === undefined || clockTime.minute > 59) return undefined;
  if (clockTime.hour === HALF_DAY && meridiem === 'pm' && /night|noche/.test(phrase)) meridiem = 'am';
  // A part of the day said with a 24-hour time ("17:00 pm") is checked against it by minutesOf.
  return { ...clockTime, meridiem };
}

function twelve(meridiem: Meridiem): HeardTime {
  return { hour: HALF_DAY, minute: 0, meridiem, twentyFourHour: false };
}

/**
 * "9", "9:30", "0930", "17:00", "nine thirty", "half past nine", "quarter to five", "nueve y media". An hour said
 * in words is any number word: past 12 it has no morning or evening, and minutesOf refuses it.
 */
function clockOf(
  rest: string,
  language: NumberLanguage,
): { hour: number; minute: number; twentyFourHour: boolean } | undefined {
  // Input is cut to MAX_INPUT_LENGTH first, and the repeats are bounded by it.
  // eslint-disable-next-line security/detect-unsafe-regex
  const digits = /^(\d{1,2})(?:[:.h ]?(\d{2}))?$/.exec(rest);
  if (digits) {
    const hourText = digits[1] ?? '';
    const minuteText = digits[2];
    const hour = Number(hourText);
    // "17:00", "09:30", "0930" and "17" are a 24-hour clock; "9" and "9:30" are not.
    const twentyFourHour = hourText.length === 2 && (minuteText !== undefined || hour > HALF_DAY);
    return { hour, minute: minuteText === undefined ? 0 : Number(minuteText), twentyFourHour };
  }
  // "and" is not dropped: "between 9 and 5" is a range, not 9:05.
  const words = rest.split(/[\s-]+/).filter((w) => w !== '');
  // Input is cut to MAX_INPUT_LENGTH first, and the repeats are bounded by it.
  // eslint-disable-next-line security/detect-unsafe-regex
  const past = /^(half|quarter|\d+|[a-z]+(?: [a-z]+)?) past (.+)$/.exec(words.join(' '));
  if (past) {
    const hour = numberWord(past[2] ?? '', language);
    const minute =
      past[1] === 'half' ? 30 : past[1] === 'quarter' ? 15 : minuteWords((past[1] ?? '').split(' '), language);
    return hour === undefined || minute === undefined ? undefined : { hour, minute, twentyFourHour: false };
  }
  // Only "quarter to" and "ten minutes to": "nine to five" is a range.
  const to = /^(quarter|[a-z0-9 ]+ minutes) to (.+)$/.exec(words.join(' '));
  if (to) {
    const hour = numberWord(to[2] ?? '', language);
    const before = to[1] === 'quarter' ? 15 : minuteWords((to[1] ?? '').replace(/ minutes$/, '').split(' '), language);
    // "zero minutes to nine" (minute 60) is refused with the other minutes past 59, by heardTime.
    if (hour === undefined || before === undefined) return undefined;
    return { hour: hour === 1 ? HALF_DAY : hour - 1, minute: 60 - before, twentyFourHour: false };
  }
  if (language === 'es') {
    const spanish = /^(.+?) (y|menos) (media|cuarto|.+)$/.exec(words.join(' '));
    if (spanish) {
      const hour = numberWord(spanish[1] ?? '', language);
      const amount =
        spanish[3] === 'media'
          ? 30
          : spanish[3] === 'cuarto'
            ? 15
            : minuteWords((spanish[3] ?? '').split(' '), language);
      if (hour === undefined || amount === undefined) return undefined;
      if (spanish[2] === 'y') return { hour, minute: amount, twentyFourHour: false };
      return { hour: hour === 1 ? HALF_DAY : hour - 1, minute: 60 - amount, twentyFourHour: false };
    }
  }
  const [first, ...others] = words;
  const hour = first === undefined ? undefined : numberWord(first, language);
  if (hour === undefined) return undefined;
  const minute = minuteWords(others, language);
  return minute === undefined ? undefined : { hour, minute, twentyFourHour: false };
}

/** "thirty", "forty five", "oh five", "15": the minutes after the hour. */
function minuteWords(words: readonly string[], language: NumberLanguage): number | undefined {
  let total = 0;
  for (const word of words) {
    const value = numberWord(word, language);
    if (value === undefined) return undefined;
    total += value;
  }
  return total <= 59 ? total : undefined;
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
