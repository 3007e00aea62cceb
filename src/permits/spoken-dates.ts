import * as chrono from 'chrono-node';
import type { IsoDate } from './field-inputs.ts';

/**
 * Reading a date as a caller says it: "the fifth of June, twenty twenty-seven", "Febuary 3rd", "Memorial Day",
 * "a week from Saturday", "June 5 to June 7", "el tres de marzo". Our own pre-normalization (number words to
 * digits, spoken years, misspelled months, fillers) runs first; chrono then reads what it reads well, from a
 * reference at local noon on the department's today, as parseDateInput in field-inputs.ts does.
 * Nothing is guessed: a date said against its weekday, a range that ends before it starts, or "the 15th"
 * without a month to put it in are reported, not saved.
 */

export type SpeechLanguage = 'en' | 'es';

export type DateReading =
  | { kind: 'date'; date: IsoDate }
  | { kind: 'range'; start: IsoDate; end: IsoDate }
  | { kind: 'weekday-mismatch'; said: string; date: IsoDate; dateWeekday: string; saidWeekdayNearDate: IsoDate }
  | { kind: 'unreadable' };

// Every pattern below has bounded repeats and only sees input cut to this length, so none can backtrack badly.
const MAX_SPOKEN_LENGTH = 80;
const UNREADABLE: DateReading = { kind: 'unreadable' };
const DAYS_PER_WEEK = 7;
const MS_PER_DAY = 86_400_000;
const TWO_DIGIT_YEAR_BASE = 2000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// US numeric dates are month first: 3/4/2027 is March 4th (the rule of parseDateInput).
// eslint-disable-next-line security/detect-unsafe-regex
const US_NUMERIC_DATE = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?$/;
// A day said on its own: "the 15th", "el 15".
const DAY_ONLY = /^(\d{1,2})(?:st|nd|rd|th)?$/;
// "a week from Saturday", "2 weeks from tomorrow" (number words are digits by now).
const WEEKS_FROM = /^(a|\d) weeks? from (.{1,60})$/;

const WEEKDAYS: Record<SpeechLanguage, readonly string[]> = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  es: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
};
// Spoken forms of weekday names, without accents (text is compared with accents stripped).
const WEEKDAY_WORDS: Record<SpeechLanguage, readonly string[]> = {
  en: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
  es: ['domingo', 'lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado'],
};
/** Month names as said, lower case (the written forms in field-inputs.ts are made from these). */
export const MONTH_WORDS: Readonly<Record<SpeechLanguage, readonly string[]>> = {
  en: [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ],
  es: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
};
// Misspellings further than one edit from the month (a swap and more); nearer ones are found by distance.
const KNOWN_MISSPELLINGS: Readonly<Record<string, string>> = {
  feburary: 'february',
  febuery: 'february',
  janurary: 'january',
  setiembre: 'septiembre',
};
const MIN_FUZZY_MONTH_LENGTH = 4;

// Words that carry no date: "um, on the third of March, please".
const FILLERS: Record<SpeechLanguage, readonly string[]> = {
  en: [
    'um',
    'umm',
    'uh',
    'uhh',
    'er',
    'erm',
    'hmm',
    'ah',
    'so',
    'well',
    'okay',
    'ok',
    'please',
    'like',
    'i think',
    'i guess',
    "it's",
    'it is',
    "it'll be",
    'it will be',
    "that's",
    'that would be',
    "let's say",
    'on',
    'of the year',
  ],
  es: ['eh', 'em', 'ehm', 'mmm', 'pues', 'bueno', 'por favor', 'creo que', 'seria', 'es', 'para', 'el dia', 'el'],
};

const EN_UNITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const EN_TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const EN_TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const EN_ORDINAL_UNITS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
const EN_ORDINAL_TEENS = [
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
];
const EN_ORDINAL_TENS: Readonly<Record<string, number>> = { twentieth: 20, thirtieth: 30 };
// "twenty twenty-seven" and "nineteen ninety" are years said in two halves.
const CENTURY_HALVES = new Set([19, 20]);

// Spanish 1–29 are single words; "treinta y uno" and "dos mil veintisiete" are put together below.
const ES_NUMBERS: Readonly<Record<string, number>> = {
  un: 1,
  uno: 1,
  una: 1,
  primero: 1,
  primer: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  diez: 10,
  once: 11,
  doce: 12,
  trece: 13,
  catorce: 14,
  quince: 15,
  dieciseis: 16,
  diecisiete: 17,
  dieciocho: 18,
  diecinueve: 19,
  veinte: 20,
  veintiuno: 21,
  veintiun: 21,
  veintidos: 22,
  veintitres: 23,
  veinticuatro: 24,
  veinticinco: 25,
  veintiseis: 26,
  veintisiete: 27,
  veintiocho: 28,
  veintinueve: 29,
  treinta: 30,
  cuarenta: 40,
  cincuenta: 50,
};

type Holiday = (year: number) => IsoDate | undefined;
const MAY = 5;
const JULY = 7;
const SEPTEMBER = 9;
const NOVEMBER = 11;
const DECEMBER = 12;
const MONDAY = 1;
const THURSDAY = 4;
const fixed =
  (month: number, day: number): Holiday =>
  (year) =>
    calendarDate(year, month, day);
// Holidays by name, as callers say them (text has accents stripped and "'s" kept).
const HOLIDAYS: Readonly<Record<string, Holiday>> = {
  'new year': fixed(1, 1),
  'new years': fixed(1, 1),
  "new year's": fixed(1, 1),
  'new years day': fixed(1, 1),
  "new year's day": fixed(1, 1),
  'new years eve': fixed(DECEMBER, 31),
  "new year's eve": fixed(DECEMBER, 31),
  'martin luther king day': (year) => nthWeekdayOf(year, 1, MONDAY, 3),
  'mlk day': (year) => nthWeekdayOf(year, 1, MONDAY, 3),
  'presidents day': (year) => nthWeekdayOf(year, 2, MONDAY, 3),
  "presidents' day": (year) => nthWeekdayOf(year, 2, MONDAY, 3),
  'memorial day': (year) => lastWeekdayOf(year, MAY, MONDAY),
  juneteenth: fixed(6, 19),
  'independence day': fixed(JULY, 4),
  'the fourth of july': fixed(JULY, 4),
  'fourth of july': fixed(JULY, 4),
  'the 4th of july': fixed(JULY, 4),
  '4th of july': fixed(JULY, 4),
  'labor day': (year) => nthWeekdayOf(year, SEPTEMBER, MONDAY, 1),
  'columbus day': (year) => nthWeekdayOf(year, 10, MONDAY, 2),
  'veterans day': fixed(NOVEMBER, 11),
  "veterans' day": fixed(NOVEMBER, 11),
  "veteran's day": fixed(NOVEMBER, 11),
  thanksgiving: (year) => nthWeekdayOf(year, NOVEMBER, THURSDAY, 4),
  'thanksgiving day': (year) => nthWeekdayOf(year, NOVEMBER, THURSDAY, 4),
  'christmas eve': fixed(DECEMBER, 24),
  christmas: fixed(DECEMBER, 25),
  'christmas day': fixed(DECEMBER, 25),
  // Spanish.
  'ano nuevo': fixed(1, 1),
  'dia de ano nuevo': fixed(1, 1),
  nochevieja: fixed(DECEMBER, 31),
  nochebuena: fixed(DECEMBER, 24),
  navidad: fixed(DECEMBER, 25),
  'dia de navidad': fixed(DECEMBER, 25),
  'dia de la independencia': fixed(JULY, 4),
  'dia de accion de gracias': (year) => nthWeekdayOf(year, NOVEMBER, THURSDAY, 4),
  'accion de gracias': (year) => nthWeekdayOf(year, NOVEMBER, THURSDAY, 4),
  'dia del trabajo': (year) => nthWeekdayOf(year, SEPTEMBER, MONDAY, 1),
  'dia de los caidos': (year) => lastWeekdayOf(year, MAY, MONDAY),
  'dia de los veteranos': fixed(NOVEMBER, 11),
};
// "Christmas 2027", "Navidad de 2027".
// eslint-disable-next-line security/detect-unsafe-regex
const HOLIDAY_WITH_YEAR = /^(.{3,40}?)(?:,? (?:de |del )?(\d{4}))?$/;

// Words that put a date in the past; chrono reads them right only without forwardDate.
const PAST_MARKERS: Record<SpeechLanguage, RegExp> = {
  en: /\b(?:last|yesterday|ago|previous|past)\b/,
  es: /\b(?:ayer|anteayer|pasad[oa]|anterior|hace)\b/,
};
const LAST_WEEKDAY: Record<SpeechLanguage, RegExp> = {
  en: /^(?:last|this past|past|previous) ([a-z]{6,9})$/,
  es: /^(?:(?:el )?([a-z]{5,9}) pasado|(?:el )?pasado ([a-z]{5,9}))$/,
};
const DAY_AFTER_TOMORROW: Record<SpeechLanguage, RegExp> = {
  en: /^(?:the )?day after tomorrow$/,
  es: /^pasado manana$/,
};
// "this coming Friday" is the coming Friday.
const COMING: Record<SpeechLanguage, RegExp> = {
  en: /\b(?:this coming|coming) /,
  es: /\b(?:este proximo|este) /,
};
const RANGE_OPENERS: Record<SpeechLanguage, RegExp> = {
  en: /^from /,
  es: /^(?:desde el|desde|del|de) /,
};
const RANGE_CONNECTORS: Record<SpeechLanguage, RegExp> = {
  // A spaced hyphen joins two dates ("June 5 - June 7"); numeric dates ("3-4-2027") have none.
  en: / (?:to|through|thru|till|until|-) /,
  es: / (?:al|a|hasta el|hasta|-) /,
};
// "June 5 and June 7" may be two days, so "and" joins a range only after "between".
const BETWEEN: Record<SpeechLanguage, RegExp> = { en: /^between /, es: /^entre (?:el )?/ };
const BETWEEN_CONNECTORS: Record<SpeechLanguage, RegExp> = { en: / and /, es: / y (?:el )?/ };
const LEADING_ARTICLE: Record<SpeechLanguage, RegExp> = { en: /^the /, es: /^el / };

export function readSpokenDate(
  text: string,
  today: IsoDate,
  language: SpeechLanguage = 'en',
  contextMonth?: string,
): DateReading {
  if (text.length > MAX_SPOKEN_LENGTH) return UNREADABLE;
  const input = normalize(text, language);
  if (input === '') return UNREADABLE;
  const context: ReadingContext = { today, language, contextMonth };
  return readRange(input, context) ?? toReading(readSingle(input, context), language);
}

interface ReadingContext {
  today: IsoDate;
  language: SpeechLanguage;
  contextMonth: string | undefined;
}

/** One day as read, with what the reader needs to join it to the other end of a range. */
interface SingleDay {
  date: IsoDate;
  /** Only a weekday was said ("Sunday"), so it may be moved to the first such day after a range's start. */
  weekdayOnly: boolean;
  yearSaid: boolean;
  /** The weekday said, when it does not fall on the date said. */
  mismatchedWeekday?: number;
}

function toReading(day: SingleDay | undefined, language: SpeechLanguage): DateReading {
  if (day === undefined) return UNREADABLE;
  if (day.mismatchedWeekday !== undefined) return weekdayMismatch(day.date, day.mismatchedWeekday, language);
  return { kind: 'date', date: day.date };
}

function weekdayMismatch(date: IsoDate, saidWeekday: number, language: SpeechLanguage): DateReading {
  const dateWeekday = weekdayOf(date);
  // The said weekday nearest the date: at most three days either side.
  const forward = (saidWeekday - dateWeekday + DAYS_PER_WEEK) % DAYS_PER_WEEK;
  const shift = forward > DAYS_PER_WEEK / 2 ? forward - DAYS_PER_WEEK : forward;
  const names = WEEKDAYS[language];
  return {
    kind: 'weekday-mismatch',
    said: names[saidWeekday] ?? '',
    date,
    dateWeekday: names[dateWeekday] ?? '',
    saidWeekdayNearDate: addDays(date, shift),
  };
}

/** "June 5 to June 7", "this Friday through Sunday", "del 5 al 7 de junio de 2027"; undefined when no range is said. */
function readRange(input: string, context: ReadingContext): DateReading | undefined {
  const { language } = context;
  const between = BETWEEN[language].test(input);
  const opened = input.replace(between ? BETWEEN[language] : RANGE_OPENERS[language], '');
  const parts = opened.split(between ? BETWEEN_CONNECTORS[language] : RANGE_CONNECTORS[language]);
  if (parts.length !== 2) return between ? UNREADABLE : readChronoRange(input, context);
  const [startText = '', endText = ''] = parts.map((part) => part.replace(LEADING_ARTICLE[language], ''));
  const startDayOnly = DAY_ONLY.exec(startText);
  const endDayOnly = DAY_ONLY.exec(endText);
  let start: SingleDay | undefined;
  let end: SingleDay | undefined;
  if (startDayOnly && !endDayOnly) {
    // "del 5 al 7 de junio": the start takes the end's month and year.
    end = readSingle(endText, context);
    if (end === undefined) return UNREADABLE;
    start = sameMonth(end, Number(startDayOnly[1]));
  } else if (endDayOnly && !startDayOnly) {
    // "June 5 through 7": the end takes the start's month and year.
    start = readSingle(startText, context);
    if (start === undefined) return UNREADABLE;
    end = sameMonth(start, Number(endDayOnly[1]));
  } else {
    end = readSingle(endText, context);
    start = readSingle(startText, context) ?? (end?.yearSaid === true ? inYearOf(startText, end, context) : undefined);
  }
  if (start === undefined || end === undefined) return UNREADABLE;
  for (const day of [start, end]) {
    if (day.mismatchedWeekday !== undefined) return weekdayMismatch(day.date, day.mismatchedWeekday, context.language);
  }
  if (end.weekdayOnly) {
    // "Friday through Sunday": the Sunday after that Friday, whatever today is.
    const ahead = (weekdayOf(end.date) - weekdayOf(start.date) + DAYS_PER_WEEK) % DAYS_PER_WEEK;
    end = { ...end, date: addDays(start.date, ahead) };
  }
  if (!start.yearSaid && end.yearSaid) start = alignYear(start, end);
  return rangeOf(start.date, end.date);
}

/** chrono reads "June 5-7, 2027" as one result with an end. */
function readChronoRange(input: string, context: ReadingContext): DateReading | undefined {
  if (!/\d\s?-\s?\d/.test(input) || US_NUMERIC_DATE.test(input) || ISO_DATE.test(input)) return undefined;
  const result = singleChronoResult(input, context, true);
  if (result?.end == null) return undefined;
  const start = componentsToDate(result.start);
  const end = componentsToDate(result.end);
  if (start === undefined || end === undefined) return UNREADABLE;
  return rangeOf(start, end);
}

function rangeOf(start: IsoDate, end: IsoDate): DateReading {
  if (end < start) return UNREADABLE;
  if (end === start) return { kind: 'date', date: start };
  return { kind: 'range', start, end };
}

function sameMonth(other: SingleDay, day: number): SingleDay | undefined {
  const date = calendarDate(Number(other.date.slice(0, 4)), Number(other.date.slice(5, 7)), day);
  return date === undefined ? undefined : { date, weekdayOnly: false, yearSaid: other.yearSaid };
}

/** "December 28 to January 3, 2028": a start said without a year is the last such day on or before the end. */
/**
 * A start day read in the end's year (or the year before, for a range across a new year): "February 29 to March 1,
 * 2028" names a day that the next February, with no year, does not have.
 */
function inYearOf(startText: string, end: SingleDay, context: ReadingContext): SingleDay | undefined {
  const endYear = Number(end.date.slice(0, 4));
  const joiner = context.language === 'es' ? ' de ' : ' ';
  for (const year of [endYear, endYear - 1]) {
    const day = readSingle(`${startText}${joiner}${year}`, context);
    if (day !== undefined && day.date <= end.date) return { ...day, yearSaid: false };
  }
  return undefined;
}

function alignYear(start: SingleDay, end: SingleDay): SingleDay {
  const endYear = Number(end.date.slice(0, 4));
  const monthDay = start.date.slice(4);
  const sameYear = `${endYear}${monthDay}`;
  const date = sameYear <= end.date ? sameYear : `${endYear - 1}${monthDay}`;
  return calendarDate(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))) === undefined
    ? start
    : { ...start, date };
}

function readSingle(input: string, context: ReadingContext): SingleDay | undefined {
  const { today, language } = context;
  // A numeric form that is no real day ("13/01/2027") is refused, not handed to chrono to read day first.
  if (ISO_DATE.test(input) || US_NUMERIC_DATE.test(input)) return readNumeric(input, today);

  const holiday = readHoliday(input, today);
  if (holiday !== undefined) return holiday;

  const dayOnly = DAY_ONLY.exec(input);
  if (dayOnly) return readDayInContext(Number(dayOnly[1]), context.contextMonth);

  const weeksFrom = WEEKS_FROM.exec(input);
  if (weeksFrom) {
    const base = readSingle(weeksFrom[2] ?? '', context);
    if (base?.mismatchedWeekday !== undefined || base === undefined) return undefined;
    const weeks = weeksFrom[1] === 'a' ? 1 : Number(weeksFrom[1]);
    return { date: addDays(base.date, weeks * DAYS_PER_WEEK), weekdayOnly: false, yearSaid: false };
  }

  if (DAY_AFTER_TOMORROW[language].test(input)) return { date: addDays(today, 2), weekdayOnly: false, yearSaid: false };

  const lastWeekday = LAST_WEEKDAY[language].exec(input);
  const lastWeekdayIndex = WEEKDAY_WORDS[language].indexOf(lastWeekday?.[1] ?? lastWeekday?.[2] ?? '');
  if (lastWeekdayIndex >= 0) {
    // "last Tuesday" is the most recent Tuesday before today, never the next one.
    const back = (weekdayOf(today) - lastWeekdayIndex + DAYS_PER_WEEK) % DAYS_PER_WEEK || DAYS_PER_WEEK;
    return { date: addDays(today, -back), weekdayOnly: false, yearSaid: false };
  }

  const past = PAST_MARKERS[language].test(input);
  const result = singleChronoResult(input.replace(COMING[language], ''), context, !past);
  if (result === undefined || result.end != null) return undefined;
  const start = result.start;
  if (!start.isCertain('day') && !start.isCertain('weekday')) return undefined;
  const date = componentsToDate(start);
  if (date === undefined) return undefined;
  // Said as past, so it must be past: a future reading would be saved as something the caller did not mean.
  if (past && date >= today) return undefined;
  const saidWeekday = start.isCertain('weekday') ? start.get('weekday') : null;
  const mismatched = saidWeekday !== null && start.isCertain('day') && saidWeekday !== weekdayOf(date);
  return {
    date,
    weekdayOnly: saidWeekday !== null && !start.isCertain('day'),
    yearSaid: start.isCertain('year'),
    ...(mismatched ? { mismatchedWeekday: saidWeekday } : {}),
  };
}

function singleChronoResult(
  input: string,
  context: ReadingContext,
  forwardDate: boolean,
): chrono.ParsedResult | undefined {
  const parser = context.language === 'es' ? chrono.es : chrono.en;
  const results = parser.parse(input, localNoon(context.today), { forwardDate });
  const [first] = results;
  if (first === undefined) return undefined;
  // A partial reading such as "March" of "3rd of Marchember" leaves text over: not a date. So does a second result.
  const leftover = input.replace(first.text, '').replace(/[\s,.]+/g, '');
  return leftover === '' ? first : undefined;
}

function componentsToDate(components: chrono.ParsedComponents): IsoDate | undefined {
  const year = components.get('year');
  const month = components.get('month');
  const day = components.get('day');
  if (year === null || month === null || day === null) return undefined;
  return calendarDate(year, month, day);
}

/** ISO and US numeric forms, read exactly as parseDateInput reads them. */
function readNumeric(input: string, today: IsoDate): SingleDay | undefined {
  const iso = ISO_DATE.exec(input);
  if (iso) return known(calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3])), true);
  const numeric = US_NUMERIC_DATE.exec(input);
  if (!numeric) return undefined;
  const month = Number(numeric[1]);
  const day = Number(numeric[2]);
  const yearText = numeric[3];
  if (yearText === undefined)
    return known(
      nextOccurrence(today, (year) => calendarDate(year, month, day)),
      false,
    );
  const year = yearText.length === 2 ? TWO_DIGIT_YEAR_BASE + Number(yearText) : Number(yearText);
  return known(calendarDate(year, month, day), true);
}

function known(date: IsoDate | undefined, yearSaid: boolean): SingleDay | undefined {
  return date === undefined ? undefined : { date, weekdayOnly: false, yearSaid };
}

function readHoliday(input: string, today: IsoDate): SingleDay | undefined {
  const match = HOLIDAY_WITH_YEAR.exec(input);
  const holiday = HOLIDAYS[match?.[1] ?? ''];
  if (holiday === undefined) return undefined;
  const yearText = match?.[2];
  if (yearText !== undefined) return known(holiday(Number(yearText)), true);
  return known(nextOccurrence(today, holiday), false);
}

/** "the 15th" is only a date when the conversation has already settled the month. */
function readDayInContext(day: number, contextMonth: string | undefined): SingleDay | undefined {
  const month = /^(\d{4})-(\d{2})$/.exec(contextMonth ?? '');
  if (!month) return undefined;
  return known(calendarDate(Number(month[1]), Number(month[2]), day), false);
}

// Pre-normalization ---------------------------------------------------------------------------------------------

function normalize(text: string, language: SpeechLanguage): string {
  const lowered = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘]/g, "'")
    // Hyphens between words ("twenty-seven") are spaces; between digits ("5-7", "3-4-2027") they stay.
    .replace(/([a-z])-(?=[a-z])/g, '$1 ')
    .replace(/[!?;]/g, ' ')
    .replace(/,/g, ' , ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = withoutFillers(lowered.split(' '), language);
  const numbered = language === 'es' ? spanishNumbers(words) : englishNumbers(words);
  const months = MONTH_WORDS[language];
  // "June the fifth" is June 5th to chrono.
  const spelled = correctMonths(numbered, language).filter(
    (word, index, all) => !(word === 'the' && months.includes(all[index - 1] ?? '')),
  );
  return (
    spelled
      .join(' ')
      .replace(/ ,/g, ',')
      .replace(/^[\s,.]+|[\s,.]+$/g, '')
      .replace(/^the (?=\d)/, '')
      // chrono.es reads "de 2027" but not "del 2027".
      .replace(/ del (?=\d{4}$)/, ' de ')
      .trim()
  );
}

function withoutFillers(words: readonly string[], language: SpeechLanguage): string[] {
  const fillers = FILLERS[language].map((filler) => filler.split(' '));
  const kept: string[] = [];
  for (let index = 0; index < words.length;) {
    const filler = fillers.find((parts) => parts.every((part, offset) => words[index + offset] === part));
    if (filler !== undefined) {
      index += filler.length;
      continue;
    }
    kept.push(words[index] ?? '');
    index += 1;
  }
  return kept;
}

interface SpokenNumber {
  value: number;
  ordinal: boolean;
}

function englishWordValue(word: string): { value: number; ordinal: boolean } | undefined {
  const unit = EN_UNITS.indexOf(word);
  if (unit >= 0) return { value: unit + 1, ordinal: false };
  const teen = EN_TEENS.indexOf(word);
  if (teen >= 0) return { value: teen + 10, ordinal: false };
  const tens = EN_TENS[word];
  if (tens !== undefined) return { value: tens, ordinal: false };
  const ordinalUnit = EN_ORDINAL_UNITS.indexOf(word);
  if (ordinalUnit >= 0) return { value: ordinalUnit + 1, ordinal: true };
  const ordinalTeen = EN_ORDINAL_TEENS.indexOf(word);
  if (ordinalTeen >= 0) return { value: ordinalTeen + 10, ordinal: true };
  const ordinalTens = EN_ORDINAL_TENS[word];
  if (ordinalTens !== undefined) return { value: ordinalTens, ordinal: true };
  return undefined;
}

/** A number said in up to two words at `index`: "five", "twenty", "twenty seven", "twenty seventh". */
function englishCompoundAt(
  words: readonly string[],
  index: number,
): { value: number; ordinal: boolean; used: number } | undefined {
  const word = words[index] ?? '';
  const first = englishWordValue(word);
  if (first === undefined) return undefined;
  const next = englishWordValue(words[index + 1] ?? '');
  if (!first.ordinal && EN_TENS[word] !== undefined && next !== undefined && next.value < 10) {
    return { value: first.value + next.value, ordinal: next.ordinal, used: 2 };
  }
  return { ...first, used: 1 };
}

/** "twenty seventh" → 27th, "twenty twenty seven" → 2027, "two thousand and twenty seven" → 2027. */
function englishNumbers(words: readonly string[]): string[] {
  const pieces: (string | SpokenNumber)[] = [];
  for (let index = 0; index < words.length;) {
    const compound = englishCompoundAt(words, index);
    if (compound === undefined) {
      pieces.push(words[index] ?? '');
      index += 1;
      continue;
    }
    let { value, used } = compound;
    if (!compound.ordinal && value < 10 && words[index + used] === 'thousand') {
      // "two thousand [and] twenty seven".
      value *= 1000;
      used += words[index + used + 1] === 'and' ? 2 : 1;
      const rest = englishCompoundAt(words, index + used);
      if (rest !== undefined && !rest.ordinal) {
        value += rest.value;
        used += rest.used;
      }
    }
    pieces.push({ value, ordinal: compound.ordinal });
    index += used;
  }
  // chrono and DAY_ONLY read any of st, nd, rd and th after a day ("1th" too), so one suffix marks every ordinal.
  return joinYearHalves(pieces).map((piece) =>
    typeof piece === 'string' ? piece : `${piece.value}${piece.ordinal ? 'th' : ''}`,
  );
}

/** Two spoken numbers side by side, "twenty" then "twenty seven", are a year; pairs are taken from the right. */
function joinYearHalves(pieces: (string | SpokenNumber)[]): (string | SpokenNumber)[] {
  const joined = [...pieces];
  for (let index = joined.length - 2; index >= 0; index -= 1) {
    const high = joined[index];
    const low = joined[index + 1];
    if (typeof high === 'string' || typeof low === 'string' || high === undefined || low === undefined) continue;
    // 19 and 20 are only ever one word, "nineteen" or "twenty": the first half of a year.
    if (high.ordinal || low.ordinal || !CENTURY_HALVES.has(high.value)) continue;
    if (low.value < 10 || low.value > 99) continue;
    joined.splice(index, 2, { value: high.value * 100 + low.value, ordinal: false });
  }
  return joined;
}

/** "tres" → 3, "treinta y uno" → 31, "dos mil veintisiete" → 2027. */
function spanishNumbers(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < words.length;) {
    const word = words[index] ?? '';
    let value = ES_NUMBERS[word];
    if (value === undefined && word !== 'mil') {
      out.push(word);
      index += 1;
      continue;
    }
    let used = 1;
    value ??= 1;
    // Only treinta, cuarenta and cincuenta are 30 or more, so each can take "y uno".
    if (value >= 30 && words[index + 1] === 'y') {
      const unit = ES_NUMBERS[words[index + 2] ?? ''];
      if (unit !== undefined && unit < 10) {
        value += unit;
        used = 3;
      }
    }
    if (word === 'mil' || words[index + used] === 'mil') {
      // "mil" alone is a thousand; "dos mil" two thousand, and what follows is the rest of the year.
      // "mil" alone counts as one thousand (value is 1 then).
      value *= 1000;
      used += word === 'mil' ? 0 : 1;
      const rest = ES_NUMBERS[words[index + used] ?? ''];
      if (rest !== undefined) {
        value += rest;
        used += 1;
      }
    }
    out.push(`${value}`);
    index += used;
  }
  return out;
}

/** "Febuary" → february: a word of four or more letters one edit from exactly one month, within two words of a number. */
function correctMonths(words: readonly string[], language: SpeechLanguage): string[] {
  const months = MONTH_WORDS[language];
  return words.map((word, index) => {
    const listed = KNOWN_MISSPELLINGS[word];
    if (listed !== undefined) return listed;
    if (word.length < MIN_FUZZY_MONTH_LENGTH || months.includes(word) || !/^[a-z]+$/.test(word)) return word;
    const beside = [words[index - 2], words[index - 1], words[index + 1], words[index + 2]].some((near) =>
      /^\d/.test(near ?? ''),
    );
    if (!beside) return word;
    const near = months.filter((month) => month.length >= MIN_FUZZY_MONTH_LENGTH && withinOneEdit(word, month));
    return near.length === 1 && near[0] !== undefined ? near[0] : word;
  });
}

/** One insertion, deletion, substitution or swap of neighbours. */
function withinOneEdit(heard: string, month: string): boolean {
  let start = 0;
  while (start < heard.length && heard[start] === month[start]) start += 1;
  const tailsEqual = (a: number, b: number): boolean => heard.slice(a) === month.slice(b);
  if (heard.length === month.length) {
    if (tailsEqual(start + 1, start + 1)) return true;
    return heard[start] === month[start + 1] && heard[start + 1] === month[start] && tailsEqual(start + 2, start + 2);
  }
  return heard.length > month.length ? tailsEqual(start + 1, start) : tailsEqual(start, start + 1);
}

// Calendar arithmetic -------------------------------------------------------------------------------------------

function nextOccurrence(today: IsoDate, dateIn: (year: number) => IsoDate | undefined): IsoDate | undefined {
  const thisYear = Number(today.slice(0, 4));
  const candidate = dateIn(thisYear);
  if (candidate !== undefined && candidate >= today) return candidate;
  return dateIn(thisYear + 1);
}

function nthWeekdayOf(year: number, month: number, weekday: number, nth: number): IsoDate | undefined {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const day = 1 + ((weekday - first + DAYS_PER_WEEK) % DAYS_PER_WEEK) + (nth - 1) * DAYS_PER_WEEK;
  return calendarDate(year, month, day);
}

function lastWeekdayOf(year: number, month: number, weekday: number): IsoDate | undefined {
  const lastDay = new Date(Date.UTC(year, month, 0));
  const back = (lastDay.getUTCDay() - weekday + DAYS_PER_WEEK) % DAYS_PER_WEEK;
  return calendarDate(year, month, lastDay.getUTCDate() - back);
}

function calendarDate(year: number, month: number, day: number): IsoDate | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

function weekdayOf(date: IsoDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function localNoon(isoDate: IsoDate): Date {
  const [year, month, day] = isoDate.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, day ?? 1, 12);
}
