import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSpokenDate } from '../../src/permits/spoken-dates.ts';
import { TODAY } from '../support/applications.ts';

// TODAY is Wednesday 2026-11-25; every relative date below is read from it.
const LONGER_THAN_ANY_DATE = 'March 3rd'.padEnd(500, ' ');
const DECEMBER_2026 = '2026-12';

describe('readSpokenDate: what parseDateInput reads today is read the same', () => {
  it.each([
    ['2027-03-03', '2027-03-03'],
    ['2026-11-25', '2026-11-25'],
    ['3/4/2027', '2027-03-04'],
    ['03/04/27', '2027-03-04'],
    ['3-4-2027', '2027-03-04'],
    ['3.4.2027', '2027-03-04'],
    ['3/4', '2027-03-04'],
    ['12/25', '2026-12-25'],
    ['11/25', '2026-11-25'],
    ['11/24', '2027-11-24'],
    ['March 3rd', '2027-03-03'],
    ['March 3rd, 2027', '2027-03-03'],
    ['the third of March', '2027-03-03'],
    ['on the 3rd of March', '2027-03-03'],
    ['Mar 3', '2027-03-03'],
    ['July 4th', '2027-07-04'],
    ['  December 25th ', '2026-12-25'],
    ['tomorrow', '2026-11-26'],
    ['Friday', '2026-11-27'],
    ['next Friday', '2026-12-04'],
  ])('when %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it.each([
    { why: "'13/01/2027' (month first, so 13 is no month)", input: '13/01/2027' },
    { why: "'2027-02-30' (no such day)", input: '2027-02-30' },
    { why: "'Feb 30' (no such day)", input: 'Feb 30' },
    { why: "'March' (no day)", input: 'March' },
    { why: "'someday'", input: 'someday' },
    { why: "'3rd of Marchember' (text left over)", input: '3rd of Marchember' },
    { why: 'an empty string', input: '' },
    { why: 'a 500-character string', input: LONGER_THAN_ANY_DATE },
  ])('when $why is said, then it is unreadable', ({ input }) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'unreadable' });
  });
});

describe('readSpokenDate: past days are read as past, never as the next one', () => {
  it.each([
    // "last Tuesday" said on a Wednesday is yesterday, not six days ahead.
    ['last Tuesday', '2026-11-24'],
    ['last Wednesday', '2026-11-18'],
    ['last Friday', '2026-11-20'],
    ['yesterday', '2026-11-24'],
    ['last week', '2026-11-18'],
    ['this past Friday', '2026-11-20'],
    ['the day before yesterday', '2026-11-23'],
  ])('when %j is said, then it reads as the past date %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it('when "last <weekday>" is said on any day, then the date is within the week before that day', () => {
    const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 6 }),
        (day, weekday) => {
          const today = day.toISOString().slice(0, 10);
          const reading = readSpokenDate(`last ${weekdays[weekday] ?? ''}`, today);
          expect(reading.kind).toBe('date');
          const date = reading.kind === 'date' ? reading.date : '';
          expect(date < today).toBe(true);
          expect(daysBetween(date, today)).toBeLessThanOrEqual(7);
          expect(new Date(`${date}T00:00:00Z`).getUTCDay()).toBe(weekday);
        },
      ),
    );
  });
});

describe('readSpokenDate: ranges keep both ends', () => {
  it.each([
    ['June 5 to June 7', '2027-06-05', '2027-06-07'],
    ['June 5-7, 2027', '2027-06-05', '2027-06-07'],
    ['June 5 through 7', '2027-06-05', '2027-06-07'],
    ['from June 5 to June 7', '2027-06-05', '2027-06-07'],
    ['this Friday through Sunday', '2026-11-27', '2026-11-29'],
    ['December 28 to January 3, 2028', '2027-12-28', '2028-01-03'],
    ['June 5 - June 7', '2027-06-05', '2027-06-07'],
    ['between June 5 and June 7', '2027-06-05', '2027-06-07'],
    ['the 5th to the 7th of June', '2027-06-05', '2027-06-07'],
  ])('when %j is said, then it reads as %s to %s', (input, start, end) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'range', start, end });
  });

  it('when a range ends before it starts, then it is unreadable', () => {
    expect(readSpokenDate('June 7 to June 5', TODAY)).toEqual({ kind: 'unreadable' });
  });

  it('when two days are joined by "and" without "between", then it is unreadable rather than guessed a range', () => {
    expect(readSpokenDate('June 5 and June 7', TODAY)).toEqual({ kind: 'unreadable' });
  });

  it('when "the 15th to the 17th" is said and the month is clear from context, then it reads as a range in it', () => {
    expect(readSpokenDate('the 15th to the 17th', TODAY, 'en', DECEMBER_2026)).toEqual({
      kind: 'range',
      start: '2026-12-15',
      end: '2026-12-17',
    });
  });

  it('when a range starts on February 29 with the year said only at its end, then the start is read in that year', () => {
    expect(readSpokenDate('February 29 to March 1, 2028', TODAY)).toEqual({
      kind: 'range',
      start: '2028-02-29',
      end: '2028-03-01',
    });
    expect(readSpokenDate('del 29 de febrero al 1 de marzo de 2028', TODAY, 'es')).toEqual({
      kind: 'range',
      start: '2028-02-29',
      end: '2028-03-01',
    });
  });

  it('when a generated range is said with the year only at its end, then both ends read, across a new year too', () => {
    fc.assert(
      fc.property(futureDate(), fc.integer({ min: 1, max: 20 }), (start, length) => {
        const end = addDays(start, length);
        const from = partsOf(start);
        const to = partsOf(end);
        const said = `${EN_MONTHS[from.month - 1] ?? ''} ${from.day} to ${EN_MONTHS[to.month - 1] ?? ''} ${to.day}, ${to.year}`;
        expect(readSpokenDate(said, TODAY), said).toEqual({ kind: 'range', start, end });
      }),
    );
  });
});

describe('readSpokenDate: a weekday that contradicts the date', () => {
  it('when "Friday, June 5th, 2027" (a Saturday) is said, then the mismatch and the nearest Friday are given', () => {
    expect(readSpokenDate('Friday, June 5th, 2027', TODAY)).toEqual({
      kind: 'weekday-mismatch',
      said: 'Friday',
      date: '2027-06-05',
      dateWeekday: 'Saturday',
      saidWeekdayNearDate: '2027-06-04',
    });
  });

  it('when the weekday agrees with the date, then the date is read', () => {
    expect(readSpokenDate('Saturday, June 5th, 2027', TODAY)).toEqual({ kind: 'date', date: '2027-06-05' });
  });

  it('when a generated date is said with another weekday, then the said weekday nearest the date is offered', () => {
    fc.assert(
      fc.property(futureDate(), fc.integer({ min: 1, max: 6 }), (date, offset) => {
        const actual = new Date(`${date}T00:00:00Z`).getUTCDay();
        const said = (actual + offset) % 7;
        const reading = readSpokenDate(`${EN_WEEKDAYS[said] ?? ''}, ${englishMonthDayYear(date)}`, TODAY);
        expect(reading.kind).toBe('weekday-mismatch');
        if (reading.kind !== 'weekday-mismatch') return;
        expect(reading.said).toBe(EN_WEEKDAYS[said]);
        expect(reading.dateWeekday).toBe(EN_WEEKDAYS[actual]);
        expect(new Date(`${reading.saidWeekdayNearDate}T00:00:00Z`).getUTCDay()).toBe(said);
        expect(Math.abs(daysBetween(reading.saidWeekdayNearDate, date))).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe('readSpokenDate: relative days', () => {
  it.each([
    ['this coming Friday', '2026-11-27'],
    ['a week from Saturday', '2026-12-05'],
    ['the day after tomorrow', '2026-11-27'],
    ['two weeks from tomorrow', '2026-12-10'],
    ['today', '2026-11-25'],
  ])('when %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it('when "the 15th" is said and the month is clear from context, then it reads in that month', () => {
    expect(readSpokenDate('the 15th', TODAY, 'en', DECEMBER_2026)).toEqual({ kind: 'date', date: '2026-12-15' });
    expect(readSpokenDate('the fifteenth', TODAY, 'en', DECEMBER_2026)).toEqual({ kind: 'date', date: '2026-12-15' });
  });

  it('when "the 15th" is said with no month in context, then it is unreadable rather than guessed', () => {
    expect(readSpokenDate('the 15th', TODAY)).toEqual({ kind: 'unreadable' });
  });

  it('when "the 31st" is said in a month of 30 days, then it is unreadable', () => {
    expect(readSpokenDate('the 31st', TODAY, 'en', '2027-06')).toEqual({ kind: 'unreadable' });
  });
});

describe('readSpokenDate: spoken years and misspelled months', () => {
  it.each([
    ['June fifth, twenty twenty-seven', '2027-06-05'],
    ['June 5th, two thousand and twenty-seven', '2027-06-05'],
    ['the twenty-seventh of June twenty twenty-eight', '2028-06-27'],
    ['um, June the fifth, please', '2027-06-05'],
    ['February twenty-ninth, twenty twenty-eight', '2028-02-29'],
  ])('when %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it.each([
    ['Febuary 3rd', '2027-02-03'],
    ['Feburary 3rd', '2027-02-03'],
    ['Janurary 4', '2027-01-04'],
    ['Agust 2, 2027', '2027-08-02'],
    ['Septmber 9', '2027-09-09'],
    ['Octber 10', '2027-10-10'],
  ])('when the misspelled %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it('when a year is said with no day, then it is unreadable', () => {
    expect(readSpokenDate('twenty twenty-seven', TODAY)).toEqual({ kind: 'unreadable' });
  });

  it('when a word near a month name is said with no day beside it, then it is not taken for the month', () => {
    expect(readSpokenDate('Jury', TODAY)).toEqual({ kind: 'unreadable' });
  });
});

describe('readSpokenDate: holidays by name', () => {
  it.each([
    ['Memorial Day', '2027-05-31'],
    ['Independence Day', '2027-07-04'],
    ['the Fourth of July', '2027-07-04'],
    ['Labor Day', '2027-09-06'],
    ['Thanksgiving', '2026-11-26'],
    ['Christmas', '2026-12-25'],
    ["New Year's Day", '2027-01-01'],
    ['Veterans Day', '2027-11-11'],
    ['Juneteenth', '2027-06-19'],
    ['Christmas 2027', '2027-12-25'],
    ['Memorial Day 2028', '2028-05-29'],
  ])('when %j is said, then it reads as its next occurrence (or in the year said), %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });
});

describe('readSpokenDate in Spanish', () => {
  it.each([
    ['el tres de marzo', '2027-03-03'],
    ['el viernes 4 de junio', '2027-06-04'],
    ['el cinco de junio de dos mil veintisiete', '2027-06-05'],
    ['treinta y uno de diciembre', '2026-12-31'],
    ['el primero de enero', '2027-01-01'],
    ['pasado mañana', '2026-11-27'],
    ['el viernes pasado', '2026-11-20'],
    ['ayer', '2026-11-24'],
    ['Navidad', '2026-12-25'],
    ['5 de junio del 2027', '2027-06-05'],
    ['el próximo viernes', '2026-12-04'],
  ])('when %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY, 'es')).toEqual({ kind: 'date', date: expected });
  });

  it('when "del 5 al 7 de junio de 2027" is said, then it reads as a range', () => {
    expect(readSpokenDate('del 5 al 7 de junio de 2027', TODAY, 'es')).toEqual({
      kind: 'range',
      start: '2027-06-05',
      end: '2027-06-07',
    });
  });

  it.each(['del cinco al siete de junio', 'entre el 5 y el 7 de junio', 'el 5 de junio al 7'])(
    'when %j is said, then it reads as June 5 to 7',
    (input) => {
      expect(readSpokenDate(input, TODAY, 'es')).toEqual({ kind: 'range', start: '2027-06-05', end: '2027-06-07' });
    },
  );

  it('when the weekday contradicts the date, then the mismatch is given in Spanish', () => {
    expect(readSpokenDate('el viernes 5 de junio de 2027', TODAY, 'es')).toEqual({
      kind: 'weekday-mismatch',
      said: 'viernes',
      date: '2027-06-05',
      dateWeekday: 'sábado',
      saidWeekdayNearDate: '2027-06-04',
    });
  });

  it('when "el 15" is said and the month is clear from context, then it reads in that month', () => {
    expect(readSpokenDate('el quince', TODAY, 'es', DECEMBER_2026)).toEqual({ kind: 'date', date: '2026-12-15' });
  });
});

// Generated spoken forms --------------------------------------------------------------------------------------------

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ES_MONTHS = [
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
];
const EN_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const EN_CARDINALS = [
  '',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
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
const EN_ORDINALS = [
  '',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
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
const ES_NUMBERS = [
  '',
  'uno',
  'dos',
  'tres',
  'cuatro',
  'cinco',
  'seis',
  'siete',
  'ocho',
  'nueve',
  'diez',
  'once',
  'doce',
  'trece',
  'catorce',
  'quince',
  'dieciséis',
  'diecisiete',
  'dieciocho',
  'diecinueve',
  'veinte',
  'veintiuno',
  'veintidós',
  'veintitrés',
  'veinticuatro',
  'veinticinco',
  'veintiséis',
  'veintisiete',
  'veintiocho',
  'veintinueve',
  'treinta',
  'treinta y uno',
];

function englishOrdinalWords(day: number): string {
  if (day < 20) return EN_ORDINALS[day] ?? '';
  const tens = day < 30 ? 'twenty' : 'thirty';
  if (day % 10 === 0) return day === 20 ? 'twentieth' : 'thirtieth';
  return `${tens}-${EN_ORDINALS[day % 10] ?? ''}`;
}

function englishCardinalWords(value: number): string {
  if (value < 20) return EN_CARDINALS[value] ?? '';
  const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty'][Math.floor(value / 10)] ?? '';
  return value % 10 === 0 ? tens : `${tens}-${EN_CARDINALS[value % 10] ?? ''}`;
}

function ordinalDigits(day: number): string {
  const suffix = day % 100 >= 11 && day % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][day % 10] ?? 'th');
  return `${day}${suffix}`;
}

/** "Septmber": one inner letter dropped from a month name of five or more letters. */
function misspelled(month: string, at: number): string {
  if (month.length < 5) return month;
  const index = 1 + (at % (month.length - 2));
  return month.slice(0, index) + month.slice(index + 1);
}

interface Parts {
  year: number;
  month: number;
  day: number;
}

function partsOf(date: string): Parts {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function englishMonthDayYear(date: string): string {
  const { year, month, day } = partsOf(date);
  return `${EN_MONTHS[month - 1] ?? ''} ${ordinalDigits(day)}, ${year}`;
}

type Form = (parts: Parts, variant: number) => { text: string; language: 'en' | 'es' };

const SPOKEN_YEARS = [
  (year: number) => `twenty ${englishCardinalWords(year - 2000)}`,
  (year: number) => `two thousand and ${englishCardinalWords(year - 2000)}`,
  (year: number) => `two thousand ${englishCardinalWords(year - 2000)}`,
  (year: number) => `${year}`,
];

// Every way the same day is said: the forms the corpus shows.
const FORMS: readonly Form[] = [
  ({ year, month, day }) => ({ text: `${EN_MONTHS[month - 1] ?? ''} ${day}, ${year}`, language: 'en' }),
  ({ year, month, day }, variant) => ({
    text: `${misspelled(EN_MONTHS[month - 1] ?? '', variant)} ${ordinalDigits(day)}, ${year}`,
    language: 'en',
  }),
  ({ year, month, day }, variant) => ({
    text: `the ${englishOrdinalWords(day)} of ${EN_MONTHS[month - 1] ?? ''}, ${SPOKEN_YEARS[variant % 4]?.(year) ?? ''}`,
    language: 'en',
  }),
  ({ year, month, day }, variant) => ({
    text: `${EN_MONTHS[month - 1] ?? ''} ${englishOrdinalWords(day)} ${SPOKEN_YEARS[variant % 4]?.(year) ?? ''}`,
    language: 'en',
  }),
  ({ year, month, day }) => ({ text: `${month}/${day}/${year}`, language: 'en' }),
  ({ year, month, day }) => ({ text: `el ${day} de ${ES_MONTHS[month - 1] ?? ''} de ${year}`, language: 'es' }),
  ({ year, month, day }) => ({
    text: `el ${day === 1 ? 'primero' : (ES_NUMBERS[day] ?? '')} de ${ES_MONTHS[month - 1] ?? ''} de dos mil ${ES_NUMBERS[year - 2000] ?? ''}`,
    language: 'es',
  }),
];
const EN_FILLERS: readonly [string, string][] = [
  ['', ''],
  ['um, ', ''],
  ['uh ', ', please'],
  ['on ', ''],
  ['it is ', ''],
  ['I think ', ', please'],
];
const ES_FILLERS: readonly [string, string][] = [
  ['', ''],
  ['eh, ', ''],
  ['pues ', ', por favor'],
  ['para ', ''],
];

/** A date from today to about three years ahead. */
function futureDate(): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: 3 * 365 }).map((offset) => addDays(TODAY, offset));
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

describe('readSpokenDate: generated spoken forms', () => {
  it('when a date is said in any of the spoken forms, with or without fillers, then each reads as that ISO date', () => {
    fc.assert(
      fc.property(
        futureDate(),
        fc.array(fc.tuple(fc.nat({ max: FORMS.length - 1 }), fc.nat({ max: 20 }), fc.nat({ max: 5 })), {
          minLength: 2,
          maxLength: 6,
        }),
        (date, sayings) => {
          const parts = partsOf(date);
          for (const [formIndex, variant, fillerIndex] of sayings) {
            const form = FORMS[formIndex];
            if (form === undefined) continue;
            const { text, language } = form(parts, variant);
            const fillers = language === 'es' ? ES_FILLERS : EN_FILLERS;
            const [before, after] = fillers[fillerIndex % fillers.length] ?? ['', ''];
            expect(readSpokenDate(`${before}${text}${after}`, TODAY, language), `${before}${text}${after}`).toEqual({
              kind: 'date',
              date,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when a date within the coming ten months is said without a year, then it reads as that date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.nat({ max: 2 }), (offset, form) => {
        const date = addDays(TODAY, offset);
        const { month, day } = partsOf(date);
        const said = [
          `${EN_MONTHS[month - 1] ?? ''} ${englishOrdinalWords(day)}`,
          `the ${ordinalDigits(day)} of ${EN_MONTHS[month - 1] ?? ''}`,
          `${month}/${day}`,
        ][form];
        expect(readSpokenDate(said ?? '', TODAY), said).toEqual({ kind: 'date', date });
      }),
    );
  });
});
