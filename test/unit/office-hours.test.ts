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
});
