import { describe, expect, it } from 'vitest';
import { readSpokenTime } from '../../src/permits/spoken-times.ts';

/** The spoken-time reader on its own: each way a caller says one time or a day's hours (docs/caller-experience.md). */

const at = (time: string) => ({ kind: 'time', time });
const from = (open: string, close: string) => ({ kind: 'range', open, close });

describe('one time as callers say it', () => {
  it.each([
    ['nine in the morning', '09:00'],
    ['six thirty in the evening', '18:30'],
    ['10 at night', '22:00'],
    ['12 noon', '12:00'],
    ['noon', '12:00'],
    ['midnight', '00:00'],
    ['12 at night', '00:00'],
    ['17:00 hours', '17:00'],
    ['0930', '09:30'],
    ['at 7 pm', '19:00'],
    ['eight o’clock in the morning', '08:00'],
  ])('when a caller says "%s", then it is %s', (said, time) => {
    expect(readSpokenTime(said)).toEqual(at(time));
  });

  it.each([
    ['half past nine in the morning', '09:30'],
    ['quarter past six pm', '18:15'],
    ['twenty past seven in the evening', '19:20'],
    ['quarter to five in the afternoon', '16:45'],
    ['ten minutes to one pm', '12:50'],
    ['quarter to one in the morning', '00:45'],
  ])('when a caller says "%s" (past or to the hour), then it is %s', (said, time) => {
    expect(readSpokenTime(said)).toEqual(at(time));
  });

  it.each([
    ['las nueve y media de la mañana', '09:30'],
    ['las cinco menos cuarto de la tarde', '16:45'],
    ['la una menos diez de la tarde', '12:50'],
    ['a las diez de la noche', '22:00'],
  ])('when a Spanish caller says "%s", then it is %s', (said, time) => {
    expect(readSpokenTime(said, 'es')).toEqual(at(time));
  });

  it('when no part of the day is said, then the time is not guessed but asked about, with what was heard', () => {
    expect(readSpokenTime('9')).toEqual({ kind: 'needs-meridiem', hour: 9, minute: 0 });
    expect(readSpokenTime('half past nine')).toEqual({ kind: 'needs-meridiem', hour: 9, minute: 30 });
    expect(readSpokenTime('quarter to five')).toEqual({ kind: 'needs-meridiem', hour: 4, minute: 45 });
  });

  it('when what is said is not a time of day, then it is unreadable rather than a guess', () => {
    expect(readSpokenTime('nine seventy')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('thirteen pm')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('25:00')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('whenever it suits')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime(`nine ${'very '.repeat(16)}early`)).toEqual({ kind: 'unreadable' });
  });

  it.each([
    ['9:30 am', '09:30'],
    ['1 pm', '13:00'],
    ['9:59 pm', '21:59'],
    ['23:30', '23:30'],
    ['17', '17:00'],
    ['seven,thirty pm', '19:30'],
    ['nine o clock in the morning', '09:00'],
    ['17  00', '17:00'],
    ['twenty five past nine pm', '21:25'],
    ['25 past 9 pm', '21:25'],
    ['forty-five past nine pm', '21:45'],
    ['twenty minutes to nine pm', '20:40'],
    ['nine oh five pm', '21:05'],
    ['nine fifty nine pm', '21:59'],
  ])('when a caller says "%s" in another common way, then it is %s', (said, time) => {
    expect(readSpokenTime(said)).toEqual(at(time));
  });

  it.each([
    ['diez de la noche', '22:00'],
    ['las nueve y diez de la noche', '21:10'],
    ['nueve y cuarto de la noche', '21:15'],
    ['nueve menos cinco de la noche', '20:55'],
  ])('when a Spanish caller says "%s" without "a las", then it is %s', (said, time) => {
    expect(readSpokenTime(said, 'es')).toEqual(at(time));
  });

  it.each([
    ['one', 1, 0],
    ['twelve thirty', 12, 30],
    ['12', 12, 0],
    ['twenty five minutes to five', 4, 35],
  ])('when "%s" is said with no part of the day, then %i:%i is asked about', (said, hour, minute) => {
    expect(readSpokenTime(said)).toEqual({ kind: 'needs-meridiem', hour, minute });
  });

  it.each([
    ['las nueve y media', 9, 30],
    ['las nueve y quince', 9, 15],
    ['la una menos cuarto', 12, 45],
  ])('when a Spanish caller says "%s" with no part of the day, then %i:%i is asked about', (said, hour, minute) => {
    expect(readSpokenTime(said, 'es')).toEqual({ kind: 'needs-meridiem', hour, minute });
  });

  it.each([
    // Minutes past 59 are no time, with or without a part of the day: not a question about 9:75.
    '9:75 pm',
    '9:75',
    'nine sixty pm',
    '0 pm',
    'zero',
    '24:00',
    'quarter past twenty',
    'quarter to twenty five',
    'zero minutes to nine',
    '9 past 25',
    'quarter past ninety',
    'nine and thirty pm',
    'in the evening',
    'seventy past nine pm',
    'quarter to twenty five pm',
    'seventy minutes to nine pm',
  ])('when "%s" is said, then it is unreadable', (said) => {
    expect(readSpokenTime(said)).toEqual({ kind: 'unreadable' });
  });

  it('when a Spanish caller says an hour past the clock, then it is unreadable', () => {
    expect(readSpokenTime('veinticinco y media', 'es')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('veinticinco y media de la noche', 'es')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('nueve y setenta de la noche', 'es')).toEqual({ kind: 'unreadable' });
  });

  it('when a dash is left dangling after the hour, then it is ignored', () => {
    expect(readSpokenTime('9 -')).toEqual({ kind: 'needs-meridiem', hour: 9, minute: 0 });
  });

  it('when the answer is exactly at the length bound, then it is still read', () => {
    const said = `nine in the morning${' '.repeat(61)}`;
    expect(said).toHaveLength(80);
    expect(readSpokenTime(said)).toEqual(at('09:00'));
  });

  it('when the answer is one character past the length bound, then it is not read at all', () => {
    expect(readSpokenTime(`nine in the morning${' '.repeat(62)}`)).toEqual({ kind: 'unreadable' });
  });
});

describe('a day’s hours said as a range', () => {
  it.each([
    ['9 to 5', '09:00', '17:00'],
    ['from 8 to 4:30', '08:00', '16:30'],
    ['9-5', '09:00', '17:00'],
    ['9 am to 5 pm', '09:00', '17:00'],
    // The part of the day said once is the other end's too when that keeps the order…
    ['9 to 11 am', '09:00', '11:00'],
    ['6 pm to 11', '18:00', '23:00'],
    // …and otherwise the morning for an opening, the afternoon for a close.
    ['9 to 5 pm', '09:00', '17:00'],
    ['10 am to 2', '10:00', '14:00'],
    ['9 to 13', '09:00', '13:00'],
  ])('when a caller says "%s", then the hours are %s to %s', (said, open, close) => {
    expect(readSpokenTime(said)).toEqual(from(open, close));
  });

  it.each([
    ['de nueve a cinco', '09:00', '17:00'],
    ['de 8 a 3 de la tarde', '08:00', '15:00'],
  ])('when a Spanish caller says "%s", then the hours are %s to %s', (said, open, close) => {
    expect(readSpokenTime(said, 'es')).toEqual(from(open, close));
  });

  it('when a range is not a working day or closes before it opens, then it is unreadable, not guessed', () => {
    // "5 to 9" could be a morning or an evening: nothing says which.
    expect(readSpokenTime('5 to 9')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('17:00 to 09:00')).toEqual({ kind: 'unreadable' });
    expect(readSpokenTime('9 to whenever')).toEqual({ kind: 'unreadable' });
  });

  it.each([
    // Found while testing: "between … and …" was heard as one time (9:05), an opening hour of 12 as midnight,
    // and a Spanish range with "las" on both ends was refused.
    ['between 9 and 5', '09:00', '17:00'],
    ['12 to 5', '12:00', '17:00'],
    ['9 until 5', '09:00', '17:00'],
    ['9 till 5', '09:00', '17:00'],
    ['9 through 5', '09:00', '17:00'],
    ['9 to 9', '09:00', '21:00'],
    ['9 am to 9', '09:00', '21:00'],
    ['9 am to 11', '09:00', '11:00'],
    ['6 to 11 pm', '18:00', '23:00'],
    ['11 to 11 pm', '11:00', '23:00'],
    ['8 am to 11 pm', '08:00', '23:00'],
    ['8 to 21:00', '08:00', '21:00'],
    ['noon to 5', '12:00', '17:00'],
    ['midnight to 6', '00:00', '06:00'],
    ['half past nine to five', '09:30', '17:00'],
    // Typed in the form, with spaces around the dash.
    ['9 am - 5 pm', '09:00', '17:00'],
  ])('when a caller says "%s" (more ways), then the hours are %s to %s', (said, open, close) => {
    expect(readSpokenTime(said)).toEqual(from(open, close));
  });

  it.each([
    ['de las nueve a las cinco', '09:00', '17:00'],
    ['entre las nueve y las cinco', '09:00', '17:00'],
    ['de nueve hasta cinco', '09:00', '17:00'],
    ['de nueve a la una', '09:00', '13:00'],
    ['9-5', '09:00', '17:00'],
  ])('when a Spanish caller says "%s" (more ways), then the hours are %s to %s', (said, open, close) => {
    expect(readSpokenTime(said, 'es')).toEqual(from(open, close));
  });

  it.each([
    // The same time at both ends, an end that is no time, an hour with no morning or afternoon.
    '9 am to 9 am',
    'early to 5',
    'thirteen to 5 pm',
    '9 am to thirteen',
    'thirteen to 9',
    // A day that closes at midnight would close before it opens: refused rather than read as one time, midnight.
    '6 pm to midnight',
  ])('when a caller says "%s", then it is unreadable', (said) => {
    expect(readSpokenTime(said)).toEqual({ kind: 'unreadable' });
  });
});
