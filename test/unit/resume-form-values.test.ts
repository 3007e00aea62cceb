import { describe, expect, it } from 'vitest';
import { PermitRules, type DraftFields } from '../../src/permits/permit-rules.ts';
import { PERMIT_TYPES } from '../../src/permits/permit-types.ts';
import { enteredFromStored, readPostedFields } from '../../src/web/form-values.ts';
import { completeApplication, TODAY } from '../support/applications.ts';

const rules = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });

function canonical(values: Record<string, unknown>): DraftFields {
  const check = rules.checkApplication(values);
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  return check.application;
}

describe('filling the form in from a stored draft', () => {
  it.each(PERMIT_TYPES)(
    'when a %s draft is put in the form and posted back unchanged, then the same application comes out',
    (type) => {
      const stored = canonical({
        ...completeApplication(type),
        foodPreparation: 'commercial_kitchen',
        commercialKitchenName: 'Eastside Kitchen',
        commercialKitchenAddress: '9 Mill Road, Springfield',
        dailyCloseTime: '12:30 am',
      });
      const fields = rules.fieldsOf(type).filter((name) => name !== 'permitType');

      const entered = enteredFromStored(stored, fields);
      const { values } = readPostedFields({ ...entered, attestation: 'yes' }, fields);

      expect(canonical({ ...values, permitType: type })).toEqual(stored);
    },
  );

  it('when stored values are shown, then they read as a person types them, and the attestation is left for the applicant to tick', () => {
    const stored = canonical(completeApplication('temporary_food_event'));
    const entered = enteredFromStored(stored, rules.fieldsOf('temporary_food_event'));

    expect(entered).toMatchObject({
      contactPhone: '212-555-0142',
      eventStartDate: 'March 3, 2027',
      dailyOpenTime: '9 AM',
      dailyCloseTime: '6:30 PM',
      menuItems: 'Carnitas tacos\nHorchata',
      servesTcsFoods: 'yes',
      smsConsent: 'yes',
      tcsItemCount: '1',
      entityType: 'llc',
      booths: '1',
    });
    expect(stored.attestation).toBe(true);
    expect(entered).not.toHaveProperty('attestation');
  });

  it('when a draft has answered only some fields, then only those are filled in', () => {
    const entered = enteredFromStored(
      { permitType: 'mobile_food_unit', businessName: 'Taco Loco', servesTcsFoods: false },
      rules.fieldsOf('mobile_food_unit').filter((name) => name !== 'permitType'),
    );

    expect(entered).toEqual({ businessName: 'Taco Loco', servesTcsFoods: 'no' });
  });
});
