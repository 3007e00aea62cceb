import { describe, expect, it } from 'vitest';
import { maskedPhone, parseCallSearch } from '../../src/store/staff-call-directory.ts';
import { parseRange } from '../../src/web/staff/staff-console-routes.ts';
import { formatOffset, nextDay, startOfDayIn } from '../../src/web/staff/staff-time.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { describeToolTurn } from '../../src/web/staff/staff-views.ts';

const PERMITS = new PermitRules({ healthDistricts: ['Central'], today: () => '2026-11-25' }).context;

describe('staff console helpers', () => {
  it("when a day is given in the department's zone, then it starts at that zone's midnight, across daylight-saving changes", () => {
    expect(startOfDayIn('2026-11-25', 'America/Los_Angeles')?.toISOString()).toBe('2026-11-25T08:00:00.000Z');
    expect(startOfDayIn('2026-07-04', 'America/Los_Angeles')?.toISOString()).toBe('2026-07-04T07:00:00.000Z');
    // 2026-03-08: clocks go forward at 2 am; midnight is still standard time.
    expect(startOfDayIn('2026-03-08', 'America/Los_Angeles')?.toISOString()).toBe('2026-03-08T08:00:00.000Z');
    expect(startOfDayIn('2026-11-25', 'UTC')?.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(startOfDayIn('2026-02-30', 'UTC')).toBeUndefined();
    expect(startOfDayIn('25/11/2026', 'UTC')).toBeUndefined();
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('when an audio player asks for byte ranges, then each form is answered as RFC 9110 says', () => {
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=100-199', 1000)).toEqual({ start: 100, end: 199 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=500-100', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
  });

  it('when a tool turn is shown, then field names read as the form labels them', () => {
    expect(
      describeToolTurn(
        'update_application: businessName ← Taco Loco; eventStartDate rejected: The date is in the past.',
        PERMITS,
      ),
    ).toBe('Business name ← Taco Loco; First day of the event rejected: The date is in the past.');
    expect(describeToolTurn('submit_application: submitted FP-2026-7KQ3XM', PERMITS)).toBe(
      'submit application: submitted FP-2026-7KQ3XM',
    );
  });

  it('when a tool turn records codes, dates, times, lists and numbers, then staff read them as words, and a phone as written', () => {
    expect(
      describeToolTurn(
        'update_application: permitType ← temporary_food_event; entityType ← llc; eventStartDate ← 2027-03-03',
        PERMITS,
      ),
    ).toBe('Permit type ← Temporary food event; Type of business entity ← LLC; First day of the event ← March 3, 2027');
    expect(
      describeToolTurn(
        'update_application: menuItems ← ["Carnitas tacos","Horchata"]; servesTcsFoods ← true; contactPhone ← +12125550142',
        PERMITS,
      ),
    ).toBe(
      'Menu items ← Carnitas tacos, Horchata; Do you serve foods that need time or temperature control ← yes; Contact phone ← +12125550142',
    );
  });

  it('when staff search, then a reference in any case or a phone in any usual form is recognised, and anything else is not', () => {
    expect(parseCallSearch(' fp-2026-7kq3xm ')).toEqual({ reference: 'FP-2026-7KQ3XM' });
    expect(parseCallSearch('(312) 555-0142')).toEqual({ phone: '+13125550142' });
    expect(parseCallSearch('Taco Loco')).toBeUndefined();
  });

  it('when a number is masked, then only its last four digits show', () => {
    expect(maskedPhone('+13125550142')).toBe('•••-•••-0142');
    expect(maskedPhone('anonymous')).toBe('withheld');
    expect(formatOffset(65_400)).toBe('1:05');
  });
});
