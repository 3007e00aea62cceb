import * as chrono from 'chrono-node';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { MONTH_WORDS, readSpokenDate, type DateReading } from './spoken-dates.ts';
import { readSpokenPhone, type PhoneReading } from './spoken-phone.ts';
import { readSpokenTime, type TimeReading } from './spoken-times.ts';
import type { Language } from './language.ts';

/**
 * Turning what people type or say into canonical values: phone numbers to
 * E.164, dates to ISO, times to 24-hour HH:MM. Canonical values parse to
 * themselves, so a stored draft can be validated again unchanged.
 */

/** An ISO calendar date, YYYY-MM-DD, in the department's time zone. */
export type IsoDate = string;

const DEFAULT_PHONE_REGION = 'US';
// The department serves North American callers; +1 covers the US, its territories and Canada.
const NORTH_AMERICAN_CALLING_CODE = '1';
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// The patterns below are anchored with bounded repeats and only ever see input
// cut to MAX_INPUT_LENGTH, so they cannot backtrack badly (safe-regex cannot tell).
const MAX_INPUT_LENGTH = 60;
// US numeric dates are month first: 3/4/2027 is March 4th.
// eslint-disable-next-line security/detect-unsafe-regex
const US_NUMERIC_DATE = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?$/;
const TWO_DIGIT_YEAR_BASE = 2000;
// Words a caller puts around a date that carry no meaning: "on the third of March".
// eslint-disable-next-line security/detect-unsafe-regex
const DATE_FILLER = /^(on\s+)?(the\s+)?/i;
// 9am, 9 am, 9:30 pm, 9.30 p.m., 0930, 21:00.
// eslint-disable-next-line security/detect-unsafe-regex
const CLOCK_TIME = /^(\d{1,2})(?:[:.]?(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?$/i;
const HOURS_PER_HALF_DAY = 12;

export function parsePhoneInput(text: string): string | undefined {
  const phone = parsePhoneNumberFromString(text.trim(), DEFAULT_PHONE_REGION);
  return phone?.isValid() === true && phone.countryCallingCode === NORTH_AMERICAN_CALLING_CODE
    ? phone.number
    : undefined;
}

export function parseDateInput(text: string, today: IsoDate): IsoDate | undefined {
  if (text.length > MAX_INPUT_LENGTH) return undefined;
  const input = text.trim().replace(DATE_FILLER, '');
  const iso = ISO_DATE.exec(input);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));

  const numeric = US_NUMERIC_DATE.exec(input);
  if (numeric) {
    const month = Number(numeric[1]);
    const day = Number(numeric[2]);
    const yearText = numeric[3];
    if (yearText === undefined) return nextOccurrence(month, day, today);
    const year = yearText.length === 2 ? TWO_DIGIT_YEAR_BASE + Number(yearText) : Number(yearText);
    return calendarDate(year, month, day);
  }

  return parseWrittenDate(input, today);
}

/** "March 3rd", "the third of March", "next Friday", "tomorrow": chrono reads them; we insist on a real day. */
function parseWrittenDate(input: string, today: IsoDate): IsoDate | undefined {
  const reference = localNoon(today);
  const results = chrono.en.parse(input, reference, { forwardDate: true });
  const [first] = results;
  if (results.length !== 1 || first === undefined) return undefined;
  // Reject partial readings such as "March" (no day) or "3rd of Marchember" (text left over).
  const leftover = input.replace(first.text, '').replace(/[\s,.]+/g, '');
  if (leftover !== '') return undefined;
  const start = first.start;
  if (!start.isCertain('day') && !start.isCertain('weekday')) return undefined;
  const year = start.get('year');
  const month = start.get('month');
  const day = start.get('day');
  if (year === null || month === null || day === null) return undefined;
  return calendarDate(year, month, day);
}

function nextOccurrence(month: number, day: number, today: IsoDate): IsoDate | undefined {
  const thisYear = Number(today.slice(0, 4));
  const candidate = calendarDate(thisYear, month, day);
  if (candidate !== undefined && candidate >= today) return candidate;
  return calendarDate(thisYear + 1, month, day);
}

function calendarDate(year: number, month: number, day: number): IsoDate | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

function localNoon(isoDate: IsoDate): Date {
  const [year, month, day] = isoDate.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, day ?? 1, 12);
}

/** Returns HH:MM (24-hour) or undefined; "9" or "9:30" alone are ambiguous and rejected. */
export function parseTimeInput(text: string): string | undefined {
  if (text.length > MAX_INPUT_LENGTH) return undefined;
  const input = text.trim().toLowerCase();
  if (input === 'noon' || input === 'midday') return '12:00';
  if (input === 'midnight') return '00:00';
  const match = CLOCK_TIME.exec(input);
  if (!match) return undefined;
  const [, hourText = '', minuteText, meridiem] = match;
  let hour = Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  if (minute > 59) return undefined;
  if (meridiem !== undefined) {
    if (hour < 1 || hour > HOURS_PER_HALF_DAY) return undefined;
    hour = (hour % HOURS_PER_HALF_DAY) + (meridiem.toLowerCase() === 'p' ? HOURS_PER_HALF_DAY : 0);
  } else {
    // Without AM/PM only the 24-hour form with two-digit hours and minutes is clear: "09:00", "21:00".
    const twentyFourHour = hourText.length === 2 && minuteText !== undefined;
    if (!twentyFourHour || hour > 23) return undefined;
  }
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

// Written month names: English capitalised ("March 3, 2027"), Spanish in lower case as Spanish writes them.
const MONTH_NAMES: Readonly<Record<Language, readonly string[]>> = {
  en: MONTH_WORDS.en.map((word) => word.charAt(0).toUpperCase() + word.slice(1)),
  es: MONTH_WORDS.es,
};

/** "March 3, 2027", "3 de marzo de 2027": how dates appear in messages to callers and form users. */
export function formatDateForPeople(date: IsoDate, language: Language = 'en'): string {
  const [year, month, day] = date.split('-').map(Number);
  const monthName = MONTH_NAMES[language][(month ?? 1) - 1] ?? '';
  return language === 'es'
    ? `${day ?? ''} de ${monthName} de ${year ?? ''}`
    : `${monthName} ${day ?? ''}, ${year ?? ''}`;
}

// US Spanish writes the part of the day as "a. m." and "p. m." (the readers take both forms back).
const MERIDIEM_SUFFIXES: Readonly<Record<Language, readonly [string, string]>> = {
  en: ['AM', 'PM'],
  es: ['a. m.', 'p. m.'],
};

/** "9 AM", "9:30 PM"; "9 a. m.", "9:30 p. m.". */
export function formatTimeForPeople(time: string, language: Language = 'en'): string {
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  const [am, pm] = MERIDIEM_SUFFIXES[language];
  const suffix = hour < HOURS_PER_HALF_DAY ? am : pm;
  const twelveHour = hour % HOURS_PER_HALF_DAY === 0 ? HOURS_PER_HALF_DAY : hour % HOURS_PER_HALF_DAY;
  return minute === 0 ? `${twelveHour} ${suffix}` : `${twelveHour}:${String(minute).padStart(2, '0')} ${suffix}`;
}

/** Today's date where the department is: "no dates in the past" means the applicant's today, not the server's. */
export function todayIn(timeZone: string, now: Date): IsoDate {
  return dayFormatIn(timeZone).format(now);
}

// Building a formatter loads the zone's rules and costs far more than formatting (about 0.5 ms, once per call
// at every webhook before it was kept): one per zone, and a process serves one department's zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormatIn(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format;
}

// The readers of spoken answers (src/permits/spoken-*.ts) try the applicant's language first, then the other: a
// reading in the second is looked for only when the first finds nothing, so "5 de junio" and "June 5" both work in
// either form, and an answer that reads in both ("9 a 5") is read as the applicant's language reads it.
const ANSWER_LANGUAGES: Readonly<Record<Language, readonly Language[]>> = { en: ['en', 'es'], es: ['es', 'en'] };

/** A date answer as a caller says it or a form user types it: a day, a range, a contradiction, or nothing readable. */
export function readDateAnswer(
  text: string,
  today: IsoDate,
  contextMonth?: string,
  language: Language = 'en',
): DateReading {
  const canonical = ISO_DATE.exec(text.trim());
  if (canonical) {
    const date = calendarDate(Number(canonical[1]), Number(canonical[2]), Number(canonical[3]));
    return date === undefined ? { kind: 'unreadable' } : { kind: 'date', date };
  }
  return firstReading(ANSWER_LANGUAGES[language].map((l) => () => readSpokenDate(text, today, l, contextMonth)));
}

/** A time answer: one time, an opening-to-closing range, an hour without morning or evening, or nothing readable. */
export function readTimeAnswer(text: string, language: Language = 'en'): TimeReading {
  return firstReading(ANSWER_LANGUAGES[language].map((l) => () => readSpokenTime(text, l)));
}

// The stored form of a number with an extension (RFC 3966's parameter): the E.164 part stays the number texts go to.
// eslint-disable-next-line security/detect-unsafe-regex
const PHONE_WITH_EXTENSION = /^(\+1\d{10})(?:;ext=(\d{1,7}))?$/;

/** A phone answer, spoken or typed; a stored value ("+14255550187" or "+14255550187;ext=12") reads as itself. */
export function readPhoneAnswer(text: string, language: Language = 'en'): PhoneReading {
  const stored = PHONE_WITH_EXTENSION.exec(text.trim());
  if (stored?.[1] !== undefined && parsePhoneInput(stored[1]) !== undefined) {
    return stored[2] === undefined
      ? { kind: 'phone', e164: stored[1] }
      : { kind: 'phone', e164: stored[1], extension: stored[2] };
  }
  // One reading is enough: the phone reader takes each word in the other language when it is no number in this one
  // (spoken-phone.ts), and no word is a digit in both, so reading again in the other language finds the same digits.
  return readSpokenPhone(text, language);
}

/** The stored phone value as it is kept: the number, then the extension if one was given. */
export function storedPhone(reading: { readonly e164: string; readonly extension?: string }): string {
  return reading.extension === undefined ? reading.e164 : `${reading.e164};ext=${reading.extension}`;
}

/** The number a text message can go to: a stored phone value without its extension. */
export function textablePhone(stored: string): string {
  return stored.split(';', 1)[0] ?? stored;
}

function firstReading<R extends { readonly kind: string }>(readers: readonly (() => R)[]): R {
  let last: R | undefined;
  for (const read of readers) {
    last = read();
    if (last.kind !== 'unreadable') return last;
  }
  if (last === undefined) throw new Error('firstReading needs at least one reader');
  return last;
}
