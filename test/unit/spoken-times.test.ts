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
});
