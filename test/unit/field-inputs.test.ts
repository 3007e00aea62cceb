import { describe, expect, it } from 'vitest';
import {
  formatDateForPeople,
  formatTimeForPeople,
  parseDateInput,
  parsePhoneInput,
  parseTimeInput,
  readDateAnswer,
  readPhoneAnswer,
  readTimeAnswer,
  storedPhone,
  textablePhone,
  todayIn,
} from '../../src/permits/field-inputs.ts';
import { TODAY } from '../support/applications.ts';

// TODAY is Wednesday 2026-11-25; every relative date below is read from it.
const FIXTURE_PHONE_E164 = '+12125550142';
// A real date buried in padding: the length cap, not the date, is what refuses it.
const LONGER_THAN_ANY_DATE = 'March 3rd'.padEnd(500, ' ');

describe('parseDateInput', () => {
  it.each([
    ['2027-03-03', '2027-03-03'],
    ['2026-11-25', '2026-11-25'],
    // US numeric dates are month first.
    ['3/4/2027', '2027-03-04'],
    ['03/04/27', '2027-03-04'],
    ['3-4-2027', '2027-03-04'],
    ['3.4.2027', '2027-03-04'],
    // A year given is kept, even when the day is past or a later year than the next occurrence.
    ['3/4/2028', '2028-03-04'],
    ['11/24/2026', '2026-11-24'],
    ['3/4/27', '2027-03-04'],
    [' on 3/4/2027 ', '2027-03-04'],
    ['March 3rd, 2027.', '2027-03-03'],
    // The longest input read: sixty characters, the date then padding.
    ['March 3rd'.padEnd(60, ' '), '2027-03-03'],
  ])('when %j is given, then it reads as %s', (input, expected) => {
    expect(parseDateInput(input, TODAY)).toBe(expected);
  });

  it.each([
    ['3/4', '2027-03-04'],
    ['12/25', '2026-12-25'],
    ['11/25', '2026-11-25'],
    ['11/24', '2027-11-24'],
  ])('when %j is given without a year, then it reads as its next occurrence from today, %s', (input, expected) => {
    expect(parseDateInput(input, TODAY)).toBe(expected);
  });

  it('when February 29th is given in a year without one, then it is the next leap day', () => {
    expect(parseDateInput('2/29', '2027-03-01')).toBe('2028-02-29');
    expect(parseDateInput('2/29', '2028-01-10')).toBe('2028-02-29');
  });

  it.each([
    ['March 3rd', '2027-03-03'],
    ['March 3rd, 2027', '2027-03-03'],
    ['the third of March', '2027-03-03'],
    ['on the 3rd of March', '2027-03-03'],
    ['Mar 3', '2027-03-03'],
    // July 4th was nearer in the past than it is ahead, yet a caller means the next one.
    ['July 4th', '2027-07-04'],
    ['  December 25th ', '2026-12-25'],
    ['tomorrow', '2026-11-26'],
    ['Friday', '2026-11-27'],
    // chrono reads "next Friday" said on a Wednesday as the Friday of next week, not the one two days away.
    ['next Friday', '2026-12-04'],
  ])('when the written or spoken date %j is given, then it reads as %s', (input, expected) => {
    expect(parseDateInput(input, TODAY)).toBe(expected);
  });

  it.each([
    { why: "'13/01/2027' (month first, so 13 is no month)", input: '13/01/2027' },
    { why: "'2027-02-30' (no such day)", input: '2027-02-30' },
    { why: "'Feb 30' (no such day)", input: 'Feb 30' },
    { why: "'March' (no day)", input: 'March' },
    { why: "'March 3rd blah' (text left over)", input: 'March 3rd blah' },
    { why: "'March 3rdx' (text left over)", input: 'March 3rdx' },
    { why: "'March 3rd-ish' (not one day)", input: 'March 3rd-ish' },
    { why: "'March 3rd and March 5th' (two dates)", input: 'March 3rd and March 5th' },
    { why: "'0027-03-03' (a year JavaScript would move into the 1900s)", input: '0027-03-03' },
    { why: "'2027-13-01' (no such month)", input: '2027-13-01' },
    { why: 'a 61-character string', input: 'March 3rd'.padEnd(61, ' ') },
    { why: "'someday'", input: 'someday' },
    { why: 'an empty string', input: '' },
    { why: 'a 500-character string', input: LONGER_THAN_ANY_DATE },
  ])('when $why is given, then no date is read', ({ input }) => {
    expect(parseDateInput(input, TODAY)).toBeUndefined();
  });
});

describe('parseTimeInput', () => {
  it.each([
    ['9am', '09:00'],
    ['9 am', '09:00'],
    ['9:30 pm', '21:30'],
    ['9.30 p.m.', '21:30'],
    ['9:30PM', '21:30'],
    ['12pm', '12:00'],
    ['12am', '00:00'],
    ['12:30 am', '00:30'],
    ['21:00', '21:00'],
    ['09:00', '09:00'],
    ['noon', '12:00'],
    ['Midnight', '00:00'],
    ['midday', '12:00'],
    [' 9 am ', '09:00'],
    ['1pm', '13:00'],
    ['0930', '09:30'],
    ['9am'.padEnd(60, ' '), '09:00'],
  ])('when %j is given, then it reads as %s', (input, expected) => {
    expect(parseTimeInput(input)).toBe(expected);
  });

  it.each([
    { why: "'9' (morning or evening?)", input: '9' },
    { why: "'9:30' (morning or evening?)", input: '9:30' },
    { why: "'13pm' (no such hour with PM)", input: '13pm' },
    { why: "'25:00' (no such hour)", input: '25:00' },
    { why: "'9:61 am' (no such minute)", input: '9:61 am' },
    { why: "'nine' (words are not read)", input: 'nine' },
    { why: "'0 am' (no hour 0 with AM)", input: '0 am' },
    { why: "'21' (an hour alone, without minutes)", input: '21' },
    { why: 'a 61-character string', input: '9am'.padEnd(61, ' ') },
    { why: 'an empty string', input: '' },
  ])('when $why is given, then no time is read', ({ input }) => {
    expect(parseTimeInput(input)).toBeUndefined();
  });
});

describe('parsePhoneInput', () => {
  it.each(['(212) 555-0142', '212.555.0142', '+1 212 555 0142', '2125550142', '1-212-555-0142'])(
    'when %j is given, then it reads as +12125550142',
    (input) => {
      expect(parsePhoneInput(input)).toBe(FIXTURE_PHONE_E164);
    },
  );

  it.each([
    { why: "'555-0142' (seven digits, no area code)", input: '555-0142' },
    { why: "'12345'", input: '12345' },
    { why: "'(123) 456-7890' (no such area code)", input: '(123) 456-7890' },
    { why: "'+44 20 7946 0958' (a UK number)", input: '+44 20 7946 0958' },
    { why: "'call me'", input: 'call me' },
    { why: 'an empty string', input: '' },
  ])('when $why is given, then no phone number is read', ({ input }) => {
    expect(parsePhoneInput(input)).toBeUndefined();
  });
});

describe('canonical values', () => {
  it('when a stored ISO date is read again, then it is unchanged', () => {
    expect(parseDateInput('2027-03-03', TODAY)).toBe('2027-03-03');
  });

  it.each(['00:00', '09:05', '12:00', '18:30', '23:59'])(
    'when the stored time %s is read again, then it is unchanged',
    (time) => {
      expect(parseTimeInput(time)).toBe(time);
    },
  );

  it('when a stored E.164 phone number is read again, then it is unchanged', () => {
    expect(parsePhoneInput(FIXTURE_PHONE_E164)).toBe(FIXTURE_PHONE_E164);
  });
});

describe('formatting for people', () => {
  it.each([
    ['2027-03-03', 'March 3, 2027'],
    ['2026-12-25', 'December 25, 2026'],
    ['2027-01-01', 'January 1, 2027'],
  ])('when the date %s is shown, then it reads %j', (date, expected) => {
    expect(formatDateForPeople(date)).toBe(expected);
  });

  it.each([
    ['2027-03-03', '3 de marzo de 2027'],
    ['2026-12-25', '25 de diciembre de 2026'],
  ])('when the date %s is shown in Spanish, then it reads %j', (date, expected) => {
    expect(formatDateForPeople(date, 'es')).toBe(expected);
  });

  it.each([
    ['21:30', '9:30 PM'],
    ['00:00', '12 AM'],
    ['12:00', '12 PM'],
    ['09:00', '9 AM'],
    ['09:05', '9:05 AM'],
    ['00:30', '12:30 AM'],
  ])('when the time %s is shown, then it reads %j', (time, expected) => {
    expect(formatTimeForPeople(time)).toBe(expected);
  });

  it.each([
    ['21:30', '9:30 p. m.'],
    ['09:00', '9 a. m.'],
    ['12:00', '12 p. m.'],
  ])('when the time %s is shown in Spanish, then it reads %j', (time, expected) => {
    expect(formatTimeForPeople(time, 'es')).toBe(expected);
  });
});

describe('todayIn', () => {
  const EVENING_IN_LOS_ANGELES = new Date('2026-11-26T03:00:00Z');

  it.each([
    ['America/Los_Angeles', '2026-11-25'],
    ['Asia/Tokyo', '2026-11-26'],
    ['UTC', '2026-11-26'],
  ])('when it is 03:00 UTC on November 26 and the department is in %s, then today is %s', (timeZone, expected) => {
    expect(todayIn(timeZone, EVENING_IN_LOS_ANGELES)).toBe(expected);
  });
});

describe('readDateAnswer', () => {
  it.each([
    ['2027-03-03', { kind: 'date', date: '2027-03-03' }],
    [' 2027-03-03 ', { kind: 'date', date: '2027-03-03' }],
    ['2027-02-30', { kind: 'unreadable' }],
    ['June 5', { kind: 'date', date: '2027-06-05' }],
    ['June 5 to June 7', { kind: 'range', start: '2027-06-05', end: '2027-06-07' }],
    ['blorp', { kind: 'unreadable' }],
  ])('when %j is answered, then it reads as %j', (input, expected) => {
    expect(readDateAnswer(input, TODAY)).toEqual(expected);
  });

  it.each(['en', 'es'] as const)('when a form in %s gets a date in either language, then it is read', (language) => {
    expect(readDateAnswer('5 de junio', TODAY, undefined, language)).toEqual({ kind: 'date', date: '2027-06-05' });
    expect(readDateAnswer('June 5', TODAY, undefined, language)).toEqual({ kind: 'date', date: '2027-06-05' });
  });
});

describe('readTimeAnswer', () => {
  it.each([
    ['9am', 'en', { kind: 'time', time: '09:00' }],
    ['nueve de la mañana', 'en', { kind: 'time', time: '09:00' }],
    ['nine in the morning', 'es', { kind: 'time', time: '09:00' }],
    ['9 to 5', 'en', { kind: 'range', open: '09:00', close: '17:00' }],
    ['9', 'es', { kind: 'needs-meridiem', hour: 9, minute: 0 }],
    ['blorp', 'en', { kind: 'unreadable' }],
  ] as const)('when %j is answered in %s, then it reads as %j', (input, language, expected) => {
    expect(readTimeAnswer(input, language)).toEqual(expected);
  });

  it('when no language is given, then English is read first', () => {
    expect(readTimeAnswer('9 to 5')).toEqual({ kind: 'range', open: '09:00', close: '17:00' });
  });
});

describe('readPhoneAnswer', () => {
  it.each([
    ['+12125550142', { kind: 'phone', e164: FIXTURE_PHONE_E164 }],
    [' +12125550142;ext=12 ', { kind: 'phone', e164: FIXTURE_PHONE_E164, extension: '12' }],
    ['212 555 0142 extension 7', { kind: 'phone', e164: FIXTURE_PHONE_E164, extension: '7' }],
    ['dos uno dos cinco cinco cinco cero uno cuatro dos', { kind: 'phone', e164: FIXTURE_PHONE_E164 }],
    // Digits in both languages in one answer, as a caller switching mid-number says them.
    ['two one two cinco cinco cinco cero one four two', { kind: 'phone', e164: FIXTURE_PHONE_E164 }],
    // A value in the stored form but with no such area code is not taken as stored.
    ['+11235550142', { kind: 'unreadable', digitsHeard: '11235550142' }],
    ['+44 20 7946 0958', { kind: 'not-north-american', country: 'GB' }],
    ['two one two five', { kind: 'unreadable', digitsHeard: '2125' }],
    ['dos uno dos cinco', { kind: 'unreadable', digitsHeard: '2125' }],
    ['blorp', { kind: 'unreadable', digitsHeard: '' }],
  ])('when %j is answered, then it reads as %j', (input, expected) => {
    expect(readPhoneAnswer(input)).toStrictEqual(expected);
    expect(readPhoneAnswer(input, 'es')).toStrictEqual(expected);
  });

  it('when a stored value with an extension is read, then it is stored again unchanged', () => {
    const reading = readPhoneAnswer('+12125550142;ext=12');
    expect(reading.kind === 'phone' ? storedPhone(reading) : reading).toBe('+12125550142;ext=12');
    expect(storedPhone({ e164: FIXTURE_PHONE_E164 })).toBe(FIXTURE_PHONE_E164);
  });
});

describe('textablePhone', () => {
  it.each([
    ['+12125550142;ext=12', FIXTURE_PHONE_E164],
    [FIXTURE_PHONE_E164, FIXTURE_PHONE_E164],
  ])('when the stored phone is %s, then texts go to %s', (stored, expected) => {
    expect(textablePhone(stored)).toBe(expected);
  });
});
