import { describe, expect, it } from 'vitest';
import {
  isOpen,
  officeHoursInWords,
  parseOfficeHours,
  StaffLine,
  type OfficeHours,
} from '../../src/permits/office-hours.ts';

const ZONE = 'America/Los_Angeles';

function hours(spec: string): OfficeHours {
  const parsed = parseOfficeHours(spec, ZONE);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

// Wednesday, December 2, 2026 in Los Angeles (UTC-8).
const wednesdayAt = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00-08:00`);
const saturdayAt = (hhmm: string) => new Date(`2026-12-05T${hhmm}:00-08:00`);

describe('office hours', () => {
  it('when a weekday span is given, then it is open from the opening minute up to, not including, the closing one', () => {
    const weekdays = hours('Mon-Fri 08:00-17:00');
    expect(isOpen(weekdays, wednesdayAt('07:59'))).toBe(false);
    expect(isOpen(weekdays, wednesdayAt('08:00'))).toBe(true);
    expect(isOpen(weekdays, wednesdayAt('16:59'))).toBe(true);
    expect(isOpen(weekdays, wednesdayAt('17:00'))).toBe(false);
    expect(isOpen(weekdays, saturdayAt('10:00'))).toBe(false);
  });

  it('when hours are read, then the department clock decides, not UTC', () => {
    // 17:30 UTC is 09:30 in Los Angeles.
    expect(isOpen(hours('Wed 09:00-10:00'), new Date('2026-12-02T17:30:00Z'))).toBe(true);
  });

  it('when several spans and a span over the week end are given, then each day is counted', () => {
    const spans = hours('Mon-Fri 08:00-17:00; Sat 09:00-12:00; Sat-Sun 20:00-21:00');
    expect(isOpen(spans, saturdayAt('09:30'))).toBe(true);
    expect(isOpen(spans, saturdayAt('20:30'))).toBe(true);
    expect(officeHoursInWords(spans)).toBe(
      'Monday to Friday, 8 AM to 5 PM; Saturday, 9 AM to 12 PM; Saturday to Sunday, 8 PM to 9 PM',
    );
  });

  it.each([
    ['Mon-Fri 8-5', 'is not a day range and hours'],
    ['Mon-Fry 08:00-17:00', 'names a day that is not Mon, Tue'],
    ['Mon-Fri 17:00-08:00', 'must open before it closes'],
    ['Mon 08:00-24:30', 'must open before it closes'],
  ])('when the setting is "%s", then it is refused with what is wrong', (spec, problem) => {
    expect(parseOfficeHours(spec, ZONE)).toContain(problem);
  });

  it('when the staff line has no number, or the office is closed, then there is no number to dial', () => {
    const weekdays = hours('Mon-Fri 08:00-17:00');
    expect(new StaffLine('+14255550100', weekdays, () => wednesdayAt('10:00')).answerableNumber()).toBe('+14255550100');
    expect(new StaffLine('+14255550100', weekdays, () => saturdayAt('10:00')).answerableNumber()).toBeUndefined();
    expect(new StaffLine(undefined, weekdays, () => wednesdayAt('10:00')).answerableNumber()).toBeUndefined();
  });

  it.each([
    ['Mon-Fri 08:00-17:00', 'de lunes a viernes, de 8 AM a 5 PM'],
    ['Sat 09:00-12:30', 'el sábado, de 9 AM a 12:30 PM'],
    ['Mon-Fri 08:30-17:45; Sun 10:00-14:00', 'de lunes a viernes, de 8:30 AM a 5:45 PM; el domingo, de 10 AM a 2 PM'],
    ['Wed-Tue 07:05-23:59', 'de miércoles a martes, de 7:05 AM a 11:59 PM'],
  ])('when the hours "%s" are told in Spanish, then the caller hears "%s"', (spec, words) => {
    expect(officeHoursInWords(hours(spec), 'es')).toBe(words);
    expect(new StaffLine('+14255550100', hours(spec)).hoursIn('es')).toBe(words);
  });

  it.each([
    ['Thu 08:30-17:45', 'Thursday, 8:30 AM to 5:45 PM'],
    ['Sun 00:00-12:05', 'Sunday, 12 AM to 12:05 PM'],
    ['Tue-Thu 11:59-13:00', 'Tuesday to Thursday, 11:59 AM to 1 PM'],
  ])('when the hours "%s" are told in English, then the caller hears "%s"', (spec, words) => {
    expect(officeHoursInWords(hours(spec))).toBe(words);
    expect(new StaffLine(undefined, hours(spec)).hoursInWords).toBe(words);
  });

  it('when the setting is in capitals with spaces around its parts, then it is read the same', () => {
    expect(hours('  MON-FRI 08:00-17:00 ;sat 09:00-12:00 ')).toEqual(hours('Mon-Fri 08:00-17:00; Sat 09:00-12:00'));
    expect(hours('Fri-Mon 08:00-17:00').spans).toEqual([{ days: [5, 6, 0, 1], opens: 480, closes: 1020 }]);
  });

  it('when a span runs to 24:00, then it is open up to the last minute of the day', () => {
    const allDay = hours('Wed 00:00-24:00');
    expect(isOpen(allDay, wednesdayAt('00:00'))).toBe(true);
    expect(isOpen(allDay, wednesdayAt('23:59'))).toBe(true);
    expect(isOpen(allDay, new Date('2026-12-03T00:00:00-08:00'))).toBe(false);
  });

  it('when the same hours are asked about in two time zones, then each zone keeps its own clock', () => {
    const spec = 'Wed 09:00-10:00';
    const newYork = parseOfficeHours(spec, 'America/New_York') as OfficeHours;
    // 09:30 in Los Angeles is 12:30 in New York: open on one clock, closed on the other, whichever is asked first.
    expect(isOpen(hours(spec), wednesdayAt('09:30'))).toBe(true);
    expect(isOpen(newYork, wednesdayAt('09:30'))).toBe(false);
    expect(isOpen(newYork, wednesdayAt('06:30'))).toBe(true);
    expect(isOpen(hours(spec), wednesdayAt('06:30'))).toBe(false);
  });

  it.each([
    [
      'Mon-Fri 08:60-17:00',
      'OFFICE_HOURS part "mon-fri 08:60-17:00" must open before it closes, with times from 00:00 to 24:00.',
    ],
    [
      'Mon-Fri 08:00-16:60',
      'OFFICE_HOURS part "mon-fri 08:00-16:60" must open before it closes, with times from 00:00 to 24:00.',
    ],
    [
      'Mon 09:00-09:00',
      'OFFICE_HOURS part "mon 09:00-09:00" must open before it closes, with times from 00:00 to 24:00.',
    ],
    [
      'Mon 08:00-17:00; Tue',
      'OFFICE_HOURS part "tue" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 08:00-17:00 extra',
      'OFFICE_HOURS part "mon-fri 08:00-17:00 extra" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 08:00-17:00x',
      'OFFICE_HOURS part "mon-fri 08:00-17:00x" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri08:00-17:00',
      'OFFICE_HOURS part "mon-fri08:00-17:00" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 8:00-17:00',
      'OFFICE_HOURS part "mon-fri 8:00-17:00" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 08:00-1700',
      'OFFICE_HOURS part "mon-fri 08:00-1700" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 08:00-17:000',
      'OFFICE_HOURS part "mon-fri 08:00-17:000" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 08:00-17:00-18:00',
      'OFFICE_HOURS part "mon-fri 08:00-17:00-18:00" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri-Sat 08:00-17:00',
      'OFFICE_HOURS part "mon-fri-sat 08:00-17:00" is not a day range and hours; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
    [
      'Mon-Fri 08:00-17:00;  Xyz-Fri 10:00-12:00 ',
      'OFFICE_HOURS part "xyz-fri 10:00-12:00" names a day that is not Mon, Tue … Sun.',
    ],
    [
      'Sat 09:00-12:00; Mon-Fri 08:00-17:60 ',
      'OFFICE_HOURS part "mon-fri 08:00-17:60" must open before it closes, with times from 00:00 to 24:00.',
    ],
    ['Xyz 08:00-17:00', 'OFFICE_HOURS part "xyz 08:00-17:00" names a day that is not Mon, Tue … Sun.'],
    ['Mon-Xyz 08:00-17:00', 'OFFICE_HOURS part "mon-xyz 08:00-17:00" names a day that is not Mon, Tue … Sun.'],
    [
      `Mon-Fri 08:00-17:00;${' '.repeat(181)}`,
      'OFFICE_HOURS is too long; write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00".',
    ],
  ])('when the setting is "%s", then the refusal is exactly what is wrong', (spec, refusal) => {
    expect(parseOfficeHours(spec, ZONE)).toBe(refusal);
  });

  it('when the setting is exactly as long as allowed, then it is read', () => {
    const spec = `Mon-Fri 08:00-17:00${' '.repeat(181)}`;
    expect(spec).toHaveLength(200);
    expect(hours(spec).spans).toEqual([{ days: [1, 2, 3, 4, 5], opens: 480, closes: 1020 }]);
  });
});
