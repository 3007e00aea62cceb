import { describe, expect, it } from 'vitest';
import { readSpokenDate } from '../../src/permits/spoken-dates.ts';
import { TODAY } from '../support/applications.ts';

// TODAY is Wednesday 2026-11-25; every relative date below is read from it.
const DECEMBER_2026 = '2026-12';

describe('readSpokenDate: misspelled months, one edit away and no further', () => {
  it.each([
    ['Octobar 10', '2027-10-10'], // a letter changed
    ['Januarry 4', '2027-01-04'], // a letter added
    ['Jully 4', '2027-07-04'], // a letter added to a four-letter month
    ['Juen 5', '2027-06-05'], // two letters swapped
    ['Novmeber 3', '2027-11-03'],
    ['the 2nd of Agust', '2027-08-02'], // the number two words before the month
    ['Agust 2', '2027-08-02'],
  ])('when the misspelled %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it.each([
    ['5 de agsto', '2027-08-05'],
    ['el 3 de mazro', '2027-03-03'],
  ])('when the misspelled Spanish %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY, 'es')).toEqual({ kind: 'date', date: expected });
  });

  it.each([
    { why: 'two neighbouring letters changed', input: 'Octxyer 10' },
    { why: 'a letter changed and the next one taken from the month', input: 'Octoxbr 10' },
    { why: 'a letter taken from the month and the next one changed', input: 'Octoexr 10' },
    { why: 'a three-letter word, too short to correct', input: 'Jne 5' },
    { why: 'a word one edit from both June and July', input: 'Juny 5' },
  ])('when a month is said with $why, then it is unreadable rather than guessed', ({ input }) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'unreadable' });
  });
});

describe('readSpokenDate: spoken numbers and years', () => {
  it.each([
    ['June twenty, twenty twenty-seven', '2027-06-20'],
    ['June twenty twenty twenty-seven', '2027-06-20'],
    ['June fifteen', '2027-06-15'],
    ['June fifth, two thousand', '2000-06-05'],
    ['December 31st twenty ninety-nine', '2099-12-31'],
    ['June  fifth,  twenty  twenty-seven', '2027-06-05'],
    ['June 5,2027', '2027-06-05'],
    ['it’s June 5th', '2027-06-05'],
    ['Christmas, um, please', '2026-12-25'],
  ])('when %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it('when "the fifteenth, um, please" is said and the month is clear from context, then it reads in that month', () => {
    expect(readSpokenDate('the fifteenth, um, please', TODAY, 'en', DECEMBER_2026)).toEqual({
      kind: 'date',
      date: '2026-12-15',
    });
  });

  it.each([
    ['el cinco de junio de dos mil', '2000-06-05'],
    ['el treinta de junio', '2027-06-30'],
  ])('when the Spanish %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY, 'es')).toEqual({ kind: 'date', date: expected });
  });
});

describe('readSpokenDate: more ranges', () => {
  it.each([
    ['June 5 through 20', '2027-06-05', '2027-06-20'],
    ['next Friday through Sunday', '2026-12-04', '2026-12-06'],
    ['June 1 to Saturday, June 12, 2027', '2027-06-01', '2027-06-12'],
    ['June 20 to Independence Day', '2027-06-20', '2027-07-04'],
    ['today to a week from Saturday', '2026-11-25', '2026-12-05'],
    ['last Wednesday to the day after tomorrow', '2026-11-18', '2026-11-27'],
    ['November 2, 2026 to last Monday', '2026-11-02', '2026-11-23'],
    ['December 28 to 2028-01-03', '2027-12-28', '2028-01-03'],
    ['December 28 to 1/3/2028', '2027-12-28', '2028-01-03'],
    ['6/5 to June 7, 2028', '2028-06-05', '2028-06-07'],
    ['Christmas Eve to December 26, 2027', '2027-12-24', '2027-12-26'],
    ['December 20 to Christmas 2027', '2027-12-20', '2027-12-25'],
    ['February 29 to January 3, 2029', '2028-02-29', '2029-01-03'],
    ['June 5-7', '2027-06-05', '2027-06-07'],
    ['June 5 -7, 2027', '2027-06-05', '2027-06-07'],
    ['June 5- 7, 2027', '2027-06-05', '2027-06-07'],
  ])('when %j is said, then it reads as %s to %s', (input, start, end) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'range', start, end });
  });

  it.each([
    ['entre cinco y siete de junio', '2027-06-05', '2027-06-07'],
    ['desde el 5 hasta el 7 de junio', '2027-06-05', '2027-06-07'],
    ['desde el cinco hasta el día siete de junio', '2027-06-05', '2027-06-07'],
    ['del 5 hasta el 7 de junio', '2027-06-05', '2027-06-07'],
  ])('when the Spanish %j is said, then it reads as %s to %s', (input, start, end) => {
    expect(readSpokenDate(input, TODAY, 'es')).toEqual({ kind: 'range', start, end });
  });

  it('when a range starts and ends on the same day, then it reads as that one date', () => {
    expect(readSpokenDate('June 5 to June 5', TODAY)).toEqual({ kind: 'date', date: '2027-06-05' });
  });

  it('when the start of a range contradicts its weekday, then the mismatch is given', () => {
    expect(readSpokenDate('Friday June 5 to June 7, 2027', TODAY)).toEqual({
      kind: 'weekday-mismatch',
      said: 'Friday',
      date: '2027-06-05',
      dateWeekday: 'Saturday',
      saidWeekdayNearDate: '2027-06-04',
    });
  });

  it.each([
    { why: 'a start that is no date', input: 'Marchember 5 to June 7' },
    { why: 'an end that is no date', input: 'June 5 to Marchember 7' },
    { why: 'neither end a date', input: 'Marchember 5 to Marchember 7' },
    { why: 'a day-only end after a start that is no date', input: 'Marchember 5 through 7' },
    { why: 'a hyphenated range in no month', input: 'Marchember 5-7' },
    { why: 'a hyphenated range ending on no such day', input: 'February 27-30, 2027' },
    { why: 'one end itself a range', input: 'June 5 to June 7-9' },
    { why: 'either of two days', input: 'June 5th or 6th' },
  ])('when $why is said, then it is unreadable', ({ input }) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'unreadable' });
  });

  it('when a Spanish range ends in no month, then it is unreadable', () => {
    expect(readSpokenDate('del 5 al 7 de junember', TODAY, 'es')).toEqual({ kind: 'unreadable' });
  });
});

describe('readSpokenDate: more relative days and holidays', () => {
  it.each([
    ['last Sunday', '2026-11-22'],
    ['3 days ago', '2026-11-22'],
    ['next week', '2026-12-02'],
    ['MLK Day', '2027-01-18'],
    ['Martin Luther King Day 2028', '2028-01-17'],
    ['Presidents Day', '2027-02-15'],
    ['Columbus Day', '2027-10-11'],
    ['Christmas Eve', '2026-12-24'],
    ["New Year's Eve", '2026-12-31'],
    ['Thanksgiving Day 2027', '2027-11-25'],
  ])('when %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'date', date: expected });
  });

  it.each([
    ['día de acción de gracias', '2026-11-26'],
    ['día del trabajo', '2027-09-06'],
    ['día de los caídos', '2027-05-31'],
    ['nochevieja', '2026-12-31'],
    ['nochebuena', '2026-12-24'],
    ['año nuevo', '2027-01-01'],
  ])('when the Spanish holiday %j is said, then it reads as %s', (input, expected) => {
    expect(readSpokenDate(input, TODAY, 'es')).toEqual({ kind: 'date', date: expected });
  });

  it.each([
    { why: 'a week from no date', input: 'a week from Marchember' },
    { why: 'a week from a date that contradicts its weekday', input: 'a week from Friday, June 5th, 2027' },
    { why: 'a month with no day', input: 'next month' },
  ])('when $why is said, then it is unreadable', ({ input }) => {
    expect(readSpokenDate(input, TODAY)).toEqual({ kind: 'unreadable' });
  });
});
