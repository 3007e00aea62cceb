import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FIELD_SPECS, type FieldName } from '../../src/permits/permit-fields.ts';
import {
  PermitRules,
  type ApplicationCheck,
  type DraftFields,
  type DraftUpdate,
  type FieldProblem,
  type PermitApplication,
} from '../../src/permits/permit-rules.ts';
import { PERMIT_TYPES, type PermitType } from '../../src/permits/permit-types.ts';
import { completeApplication, TODAY } from '../support/applications.ts';

const rules = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });

const EVENT: PermitType = 'temporary_food_event';
const FIXTURE_PHONE_E164 = '+12125550142';
const FIXTURE_COORDINATOR_E164 = '+12125550187';
/** Fields that are never required on their own: optional, defaulted, or required only by another answer. */
const NEVER_REQUIRED_ALONE: readonly FieldName[] = [
  'email',
  'tcsItemCount',
  'commercialKitchenName',
  'commercialKitchenAddress',
  'booths',
  'licensePlate',
];

/** One plain sentence a caller can act on. */
function expectOneSentence(message: string): void {
  expect(message, message).toMatch(/[.?]$/);
  expect(message, message).not.toContain('\n');
  expect(message, message).not.toMatch(/^[a-z]/);
  // A full stop followed by a new capitalised word would start a second sentence.
  expect(message, message).not.toMatch(/[.?!]\s+[A-Z]/);
}

function expectProblemsReadPlainly(problems: readonly FieldProblem[]): void {
  for (const problem of problems) expectOneSentence(problem.message);
}

function application(type: PermitType, changes: DraftFields = {}): DraftFields {
  return { ...completeApplication(type), ...changes };
}

function without(fields: DraftFields, ...names: FieldName[]): DraftFields {
  const copy = { ...fields };
  for (const name of names) copy[name] = undefined;
  return copy;
}

function accepted(check: ApplicationCheck): PermitApplication {
  if (!check.ok) throw new Error(`expected the application to pass, got ${JSON.stringify(check.problems)}`);
  return check.application;
}

function refused(check: ApplicationCheck): {
  readonly missing: readonly FieldName[];
  readonly problems: readonly FieldProblem[];
} {
  if (check.ok) throw new Error(`expected the application to be refused, got ${JSON.stringify(check.application)}`);
  expectProblemsReadPlainly(check.problems);
  return check;
}

/** The refusal when exactly one field is wrong: its field and its message. */
function onlyProblem(check: ApplicationCheck): FieldProblem {
  const { problems } = refused(check);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

function update(current: DraftFields, patch: Readonly<Record<string, unknown>>): DraftUpdate {
  const result = rules.updateDraft(current, patch);
  expectProblemsReadPlainly(result.problems);
  return result;
}

describe('complete applications', () => {
  it('when a complete temporary food event application is checked, then it passes with canonical values and one booth', () => {
    expect(accepted(rules.checkApplication(application(EVENT)))).toEqual({
      permitType: EVENT,
      applicantName: 'Rosa Delgado',
      businessName: 'Taco Loco',
      entityType: 'llc',
      contactPhone: FIXTURE_PHONE_E164,
      email: 'rosa@example.org',
      healthDistrict: 'Central',
      menuItems: ['Carnitas tacos', 'Horchata'],
      servesTcsFoods: true,
      tcsItemCount: 1,
      foodPreparation: 'on_site',
      certifiedFoodHandler: 'Rosa Delgado',
      attestation: true,
      smsConsent: true,
      eventName: 'Harvest Moon Street Fair',
      eventAddress: '100 Main Street, Springfield',
      eventCoordinatorName: 'Sam Okafor',
      eventCoordinatorPhone: FIXTURE_COORDINATOR_E164,
      eventStartDate: '2027-03-03',
      eventEndDate: '2027-03-04',
      dailyOpenTime: '09:00',
      dailyCloseTime: '18:30',
      booths: 1,
    });
  });

  it('when a complete mobile food unit application is checked, then it passes with the phone in E.164', () => {
    const result = accepted(rules.checkApplication(application('mobile_food_unit')));
    expect(result).toMatchObject({
      permitType: 'mobile_food_unit',
      contactPhone: FIXTURE_PHONE_E164,
      unitType: 'truck',
      operationMode: 'route',
      licensePlate: '8ABC123',
    });
  });

  it('when a complete cottage food operation application is checked, then it passes with the phone in E.164', () => {
    const result = accepted(rules.checkApplication(application('cottage_food_operation')));
    expect(result).toMatchObject({
      permitType: 'cottage_food_operation',
      contactPhone: FIXTURE_PHONE_E164,
      homeAddress: '12 Elm Court, Springfield',
      waterSource: 'public',
    });
  });

  it('when a complete food establishment application says "March 3rd", then it passes with the opening date in ISO', () => {
    const result = accepted(rules.checkApplication(application('food_establishment')));
    expect(result).toMatchObject({
      permitType: 'food_establishment',
      contactPhone: FIXTURE_PHONE_E164,
      openingDate: '2027-03-03',
    });
  });

  it('when an event application gives a number of booths, then that number is kept instead of the default', () => {
    expect(accepted(rules.checkApplication(application(EVENT, { booths: 3 })))).toMatchObject({ booths: 3 });
  });

  it.each(PERMIT_TYPES)('when a complete %s application is checked, then missingFields is empty', (type) => {
    expect(rules.missingFields(application(type))).toEqual([]);
  });
});

describe('required fields', () => {
  it.each(PERMIT_TYPES)(
    'when the fields of %s are listed, then they are every shared field and its own, and the design table says which are optional',
    (type) => {
      const own = Object.entries(FIELD_SPECS)
        .filter(([, spec]) => spec.appliesTo === 'all' || spec.appliesTo === type)
        .map(([name]) => name);
      const fields = rules.fieldsOf(type);
      expect([...fields].sort()).toEqual([...own].sort());
      expect(fields.filter((name) => !rules.isRequired(type, name)).sort()).toEqual(
        NEVER_REQUIRED_ALONE.filter((name) => fields.includes(name)).sort(),
      );
    },
  );

  it.each(PERMIT_TYPES)(
    "when the fields of %s are listed, then they go applicant first, declarations last, the type's own in between",
    (type) => {
      const fields = rules.fieldsOf(type);
      expect(fields[0]).toBe('permitType');
      expect(fields.slice(-2)).toEqual(['attestation', 'smsConsent']);
      const own = fields.filter((name) => FIELD_SPECS[name].appliesTo === type);
      expect(fields.indexOf(own[0]!)).toBeLessThan(fields.indexOf('menuItems'));
      expect(fields.indexOf(own[0]!)).toBeGreaterThan(fields.indexOf('healthDistrict'));
    },
  );

  const requiredCases = PERMIT_TYPES.flatMap((type) =>
    rules
      .fieldsOf(type)
      .filter((field) => rules.isRequired(type, field))
      .map((field) => ({ type, field })),
  );

  it.each(requiredCases)(
    'when $field is left out of a $type application, then it is refused as missing with the question for it',
    ({ type, field }) => {
      const { missing, problems } = refused(rules.checkApplication(without(application(type), field)));
      expect(missing).toEqual([field]);
      expect(problems).toEqual([{ field, message: FIELD_SPECS[field].ask }]);
    },
  );

  it.each(
    PERMIT_TYPES.flatMap((type) =>
      NEVER_REQUIRED_ALONE.filter((field) => rules.fieldsOf(type).includes(field)).map((field) => ({ type, field })),
    ),
  )(
    'when the optional $field is left out of a $type application that does not need it, then it still passes',
    ({ type, field }) => {
      // The fixture serves TCS foods; say it does not, so the count is not asked for.
      const fields = field === 'tcsItemCount' ? application(type, { servesTcsFoods: false }) : application(type);
      expect(rules.checkApplication(without(fields, field)).ok).toBe(true);
    },
  );
});

describe('field rule messages', () => {
  it.each([
    [
      'contactPhone',
      '555-0142',
      'We heard 7 digits for contact phone, and a US number has ten; please give all ten digits, area code first.',
    ],
    [
      'eventCoordinatorPhone',
      'call me',
      'We did not hear a phone number for event coordinator phone; please give all ten digits, area code first.',
    ],
  ] as const)('when %s is %j, then the message asks for all ten digits', (field, value, message) => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { [field]: value })))).toEqual({ field, message });
  });

  it('when the email has no @, then the message says it does not look right and may be left out', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { email: 'rosa-at-example.org' })))).toEqual({
      field: 'email',
      message: 'That email address does not look right; please check it, or leave it out.',
    });
  });

  it('when the event starts yesterday, then the message names the day and says it is in the past', () => {
    const problem = onlyProblem(rules.checkApplication(application(EVENT, { eventStartDate: '2026-11-24' })));
    expect(problem).toEqual({
      field: 'eventStartDate',
      message: 'The first day of the event, November 24, 2026, is in the past; please give a date from today on.',
    });
    expect(problem.message).toContain('November 24, 2026');
    expect(problem.message).toContain('in the past');
  });

  it('when the opening date is yesterday, then the message names the opening date and the day', () => {
    expect(
      onlyProblem(rules.checkApplication(application('food_establishment', { openingDate: '11/24/2026' }))),
    ).toEqual({
      field: 'openingDate',
      message: 'The anticipated opening date, November 24, 2026, is in the past; please give a date from today on.',
    });
  });

  it('when the event runs today only, then a date of today is not in the past', () => {
    expect(rules.checkApplication(application(EVENT, { eventStartDate: TODAY, eventEndDate: TODAY })).ok).toBe(true);
  });

  it('when a date cannot be read, then the message quotes it and gives two examples', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { eventStartDate: 'someday' })))).toEqual({
      field: 'eventStartDate',
      message: 'We could not read "someday" as a date; please give a date such as March 3, 2027 or 03/03/2027.',
    });
  });

  it.each([
    [
      'dailyOpenTime',
      'nine',
      'We heard 9 without morning or evening; please say 9 in the morning or 9 in the evening.',
    ],
    ['dailyCloseTime', '9', 'We heard 9 without morning or evening; please say 9 in the morning or 9 in the evening.'],
  ] as const)('when %s is %j, then the message asks for AM or PM', (field, value, message) => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { [field]: value })))).toEqual({ field, message });
  });

  it.each([0, 51, 1.5])('when booths is %s, then the message asks for a whole number from 1 to 50', (booths) => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { booths })))).toEqual({
      field: 'booths',
      message: 'Number of booths: please give a whole number from 1 to 50.',
    });
  });

  it('when booths is 50, then it is accepted', () => {
    expect(accepted(rules.checkApplication(application(EVENT, { booths: 50 })))).toMatchObject({ booths: 50 });
  });

  it('when the menu is an empty list, then the message asks for the food and drinks', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { menuItems: [] })))).toEqual({
      field: 'menuItems',
      message: FIELD_SPECS.menuItems.ask,
    });
  });

  it('when the menu lists 41 items, then the message asks for at most 40', () => {
    const menuItems = Array.from({ length: 41 }, (_, i) => `Dish ${i + 1}`);
    expect(onlyProblem(rules.checkApplication(application(EVENT, { menuItems })))).toEqual({
      field: 'menuItems',
      message: 'Please list at most 40 menu items; group similar ones together.',
    });
  });

  it('when the menu lists 40 items, then it is accepted', () => {
    const menuItems = Array.from({ length: 40 }, (_, i) => `Dish ${i + 1}`);
    expect(accepted(rules.checkApplication(application(EVENT, { menuItems }))).menuItems).toHaveLength(40);
  });

  it('when a name is 201 characters long, then the message names the field and the limit', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { applicantName: 'R'.repeat(201) })))).toEqual({
      field: 'applicantName',
      message: "Applicant's full name is too long; please keep it to 200 characters or fewer.",
    });
  });

  it('when an address is 301 characters long, then the message gives the address limit', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { eventAddress: 'A'.repeat(301) })))).toEqual({
      field: 'eventAddress',
      message: 'Event address is too long; please keep it to 300 characters or fewer.',
    });
  });

  it('when any text answer holds a control or bidi character, then it is refused with one plain message naming the field', () => {
    const textFields = (Object.keys(FIELD_SPECS) as FieldName[]).filter((name) =>
      ['text', 'address'].includes(FIELD_SPECS[name].kind),
    );
    expect(textFields).toEqual(expect.arrayContaining(['applicantName', 'businessName', 'eventAddress']));
    for (const hidden of ['\u0000', '\u0007', '\u001b[2J', '\u0085', '\u202e', '\u2067', '\u200f', '\t'])
      for (const name of textFields) {
        const { appliesTo } = FIELD_SPECS[name] as { appliesTo: 'all' | PermitType };
        const permitType = appliesTo === 'all' ? EVENT : appliesTo;
        const result = update({ permitType }, { [name]: `Taco${hidden}Loco` });
        expect(result.accepted, `${name} ${JSON.stringify(hidden)}`).toEqual([]);
        expect(result.problems).toEqual([
          {
            field: name,
            message: `${FIELD_SPECS[name].label} contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.`,
          },
        ]);
      }
  });

  it('when a menu item holds a control or bidi character, then the menu is refused with the same message', () => {
    const result = update({ permitType: EVENT }, { menuItems: ['Carnitas tacos', 'Horchata\u202e'] });
    expect(result.problems).toEqual([
      {
        field: 'menuItems',
        message:
          'One of the menu items contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.',
      },
    ]);
  });

  it('when text holds accents, other scripts, emoji and pasted spaces at its ends, then it is accepted as typed, trimmed', () => {
    const result = update(
      { permitType: EVENT },
      { businessName: '\tCafé Ñandú 👩‍🍳 שלום مرحبا\r\n', applicantName: 'Zoë O’Brien-Łukasz' },
    );
    expect(result.problems).toEqual([]);
    expect(result.fields).toMatchObject({
      businessName: 'Café Ñandú 👩‍🍳 שלום مرحبا',
      applicantName: 'Zoë O’Brien-Łukasz',
    });
  });

  it('when a name is only spaces, then it is treated as not given', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { applicantName: '   ' })))).toEqual({
      field: 'applicantName',
      message: FIELD_SPECS.applicantName.ask,
    });
  });

  it('when the health district is not one of the configured ones, then the message asks to choose one', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { healthDistrict: 'South Shore' })))).toEqual({
      field: 'healthDistrict',
      message: 'Please choose the health district where you will operate.',
    });
  });

  it('when the entity type is not one of the choices, then the message lists the choices', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { entityType: 'llp' })))).toEqual({
      field: 'entityType',
      message: FIELD_SPECS.entityType.ask,
    });
  });

  it('when the attestation is false, then the message asks to confirm it', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { attestation: false })))).toEqual({
      field: 'attestation',
      message: 'Please confirm that the information is true and that health inspectors may enter to inspect.',
    });
  });

  it('when the event ends the day before it starts, then the message names both days and asks for the end', () => {
    expect(
      onlyProblem(
        rules.checkApplication(application(EVENT, { eventStartDate: '2027-03-03', eventEndDate: 'March 2nd' })),
      ),
    ).toEqual({
      field: 'eventEndDate',
      message:
        'The last day of the event, March 2, 2027, is before the first day, March 3, 2027; please give the day the event ends.',
    });
  });

  it('when the closing time is the opening time written another way, then the message names the time and asks for the close', () => {
    expect(
      onlyProblem(rules.checkApplication(application(EVENT, { dailyOpenTime: '9am', dailyCloseTime: '09:00' }))),
    ).toEqual({
      field: 'dailyCloseTime',
      message: 'The closing time is the same as the opening time, 9 AM; please give the time you close.',
    });
  });

  it('when TCS foods are served but the count is not given, then tcsItemCount is missing', () => {
    const { missing, problems } = refused(
      rules.checkApplication(without(application(EVENT, { servesTcsFoods: true }), 'tcsItemCount')),
    );
    expect(missing).toEqual(['tcsItemCount']);
    expect(problems).toEqual([
      { field: 'tcsItemCount', message: 'Please say how many of your menu items must be kept hot or cold for safety.' },
    ]);
  });

  it('when food is prepared at a commercial kitchen without its name and address, then both are missing', () => {
    const { missing, problems } = refused(
      rules.checkApplication(application(EVENT, { foodPreparation: 'commercial_kitchen' })),
    );
    expect(missing).toEqual(['commercialKitchenName', 'commercialKitchenAddress']);
    expect(problems).toEqual([
      {
        field: 'commercialKitchenName',
        message: 'Please give the name of the commercial kitchen where the food is prepared.',
      },
      { field: 'commercialKitchenAddress', message: 'Please give the street address of the commercial kitchen.' },
    ]);
  });

  it('when food is prepared at a commercial kitchen with its name and address, then both are in the application', () => {
    const result = accepted(
      rules.checkApplication(
        application(EVENT, {
          foodPreparation: 'commercial_kitchen',
          commercialKitchenName: 'Shared Kitchen Co-op',
          commercialKitchenAddress: '9 Mill Lane, Springfield',
        }),
      ),
    );
    expect(result).toMatchObject({
      commercialKitchenName: 'Shared Kitchen Co-op',
      commercialKitchenAddress: '9 Mill Lane, Springfield',
    });
  });

  it('when no TCS foods are served but a count is present, then the count is left out of the application', () => {
    const result = accepted(rules.checkApplication(application(EVENT, { servesTcsFoods: false, tcsItemCount: 3 })));
    expect(result.servesTcsFoods).toBe(false);
    expect(result).not.toHaveProperty('tcsItemCount');
  });

  it('when food is prepared on site but a kitchen name and address are present, then they are left out of the application', () => {
    const result = accepted(
      rules.checkApplication(
        application(EVENT, {
          foodPreparation: 'on_site',
          commercialKitchenName: 'Shared Kitchen Co-op',
          commercialKitchenAddress: '9 Mill Lane, Springfield',
        }),
      ),
    );
    expect(result).not.toHaveProperty('commercialKitchenName');
    expect(result).not.toHaveProperty('commercialKitchenAddress');
  });

  it('when there is no permit type, then the only problem asks for one', () => {
    const { missing, problems } = refused(rules.checkApplication({ applicantName: 'Rosa Delgado' }));
    expect(missing).toEqual(['permitType']);
    expect(problems).toEqual([{ field: 'permitType', message: FIELD_SPECS.permitType.ask }]);
  });
});

describe('type-specific fields', () => {
  it('when an event application also carries a home address, then the application has no home address', () => {
    const result = accepted(rules.checkApplication(application(EVENT, { homeAddress: '12 Elm Court, Springfield' })));
    expect(result).not.toHaveProperty('homeAddress');
  });

  it.each(PERMIT_TYPES)(
    'when a %s application carries every field of every type, then only its own fields come out',
    (type) => {
      const everything = {
        ...PERMIT_TYPES.reduce<DraftFields>((all, other) => ({ ...all, ...completeApplication(other) }), {}),
        permitType: type,
        booths: 2,
      };
      const result = accepted(rules.checkApplication(everything));
      const own = new Set<string>(rules.fieldsOf(type));
      expect(Object.keys(result).filter((name) => !own.has(name))).toEqual([]);
    },
  );

  it('when a mobile food unit draft is given an event start date, then it is refused as not applying and not stored', () => {
    const current: DraftFields = { permitType: 'mobile_food_unit' };
    const result = update(current, { eventStartDate: '2027-03-03' });
    expect(result.problems).toEqual([
      { field: 'eventStartDate', message: 'First day of the event does not apply to a mobile food unit permit.' },
    ]);
    expect(result.problems[0]!.message).toMatch(/does not apply to a mobile food unit permit\.$/);
    expect(result.accepted).toEqual([]);
    expect(result.fields).toEqual(current);
  });
});

describe('updateDraft', () => {
  it('when a patch mixes good answers and a bad phone number, then the good ones are stored canonically and only the phone is refused', () => {
    const result = update(
      { permitType: EVENT },
      { applicantName: '  Rosa Delgado ', contactPhone: '555-0142', email: 'rosa@example.org', dailyOpenTime: '9am' },
    );
    expect([...result.accepted].sort()).toEqual(['applicantName', 'dailyOpenTime', 'email']);
    expect(result.problems).toEqual([
      {
        field: 'contactPhone',
        message:
          'We heard 7 digits for contact phone, and a US number has ten; please give all ten digits, area code first.',
      },
    ]);
    expect(result.fields).toMatchObject({
      permitType: EVENT,
      applicantName: 'Rosa Delgado',
      email: 'rosa@example.org',
      dailyOpenTime: '09:00',
    });
    expect(result.fields.contactPhone).toBeUndefined();
  });

  it('when answers are given in spoken forms, then the draft holds canonical values', () => {
    const result = update(
      { permitType: EVENT },
      { contactPhone: '(212) 555-0142', eventStartDate: 'the third of March', dailyCloseTime: '6:30 pm' },
    );
    expect(result.problems).toEqual([]);
    expect(result.fields).toEqual({
      permitType: EVENT,
      contactPhone: FIXTURE_PHONE_E164,
      eventStartDate: '2027-03-03',
      dailyCloseTime: '18:30',
    });
  });

  it('when a field is set to null, then it is cleared and listed in cleared', () => {
    const result = update(
      { permitType: EVENT, applicantName: 'Rosa Delgado', email: 'rosa@example.org' },
      { email: null },
    );
    expect(result.cleared).toEqual(['email']);
    expect(result.accepted).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.fields.email).toBeUndefined();
    expect(result.fields.applicantName).toBe('Rosa Delgado');
  });

  it('when a field that was never answered is set to null, then nothing is listed as cleared', () => {
    expect(update({ permitType: EVENT }, { email: null }).cleared).toEqual([]);
  });

  it('when a patch holds a key that is not a field, then the problem names the key and nothing changes', () => {
    const current: DraftFields = { permitType: EVENT, applicantName: 'Rosa Delgado' };
    const result = update(current, { favouriteColour: 'red' });
    expect(result.problems).toEqual([
      { field: 'favouriteColour', message: '"favouriteColour" is not part of a food permit application.' },
    ]);
    expect(result.accepted).toEqual([]);
    expect(result.fields).toEqual(current);
  });

  it('when an end date before the stored start is given, then it is refused and not stored, and the start is kept', () => {
    const result = update({ permitType: EVENT, eventStartDate: '2027-03-03' }, { eventEndDate: '3/2/2027' });
    expect(result.problems).toEqual([
      {
        field: 'eventEndDate',
        message:
          'The last day of the event, March 2, 2027, is before the first day, March 3, 2027; please give the day the event ends.',
      },
    ]);
    expect(result.accepted).toEqual([]);
    expect(result.fields.eventEndDate).toBeUndefined();
    expect(result.fields.eventStartDate).toBe('2027-03-03');
  });

  it('when an end date on or after the stored start is given, then it is stored', () => {
    const result = update({ permitType: EVENT, eventStartDate: '2027-03-03' }, { eventEndDate: '2027-03-03' });
    expect(result.accepted).toEqual(['eventEndDate']);
    expect(result.fields.eventEndDate).toBe('2027-03-03');
  });

  it('when the permit type changes, then the fields of the old type are dropped and listed in cleared', () => {
    const current: DraftFields = {
      permitType: EVENT,
      applicantName: 'Rosa Delgado',
      eventName: 'Harvest Moon Street Fair',
      eventStartDate: '2027-03-03',
    };
    const result = update(current, { permitType: 'food_establishment' });
    expect(result.accepted).toEqual(['permitType']);
    expect([...result.cleared].sort()).toEqual(['eventName', 'eventStartDate']);
    expect(result.fields.eventName).toBeUndefined();
    expect(result.fields.eventStartDate).toBeUndefined();
    expect(result.fields).toMatchObject({ permitType: 'food_establishment', applicantName: 'Rosa Delgado' });
  });

  it('when a patch sets the type and a field of another type together, then the type is applied first and the other field refused', () => {
    const result = update({}, { eventStartDate: '2027-03-03', permitType: 'food_establishment' });
    expect(result.accepted).toEqual(['permitType']);
    expect(result.problems).toEqual([
      { field: 'eventStartDate', message: 'First day of the event does not apply to a food establishment permit.' },
    ]);
  });

  it('when the permit type is not one of the four, then the message lists the four', () => {
    const result = update({}, { permitType: 'catering' });
    expect(result.problems).toEqual([{ field: 'permitType', message: FIELD_SPECS.permitType.ask }]);
    expect(result.fields.permitType).toBeUndefined();
  });

  it('when a draft is answered field by field, then missingFields only shrinks and ends empty', () => {
    const answers = completeApplication(EVENT);
    // The count first: answering "serves TCS foods: yes" before it would rightly add it to what is missing.
    const order = [
      'permitType',
      'tcsItemCount',
      ...Object.keys(answers).filter((key) => key !== 'permitType' && key !== 'tcsItemCount'),
    ];
    let draft: DraftFields = {};
    let missing = rules.missingFields(draft);
    expect(missing).toEqual(['permitType']);
    draft = update(draft, { permitType: EVENT }).fields;
    missing = rules.missingFields(draft);
    expect(missing.length).toBeGreaterThan(10);

    for (const key of order.slice(1)) {
      const result = update(draft, { [key]: answers[key] });
      expect(result.problems, key).toEqual([]);
      draft = result.fields;
      const now = rules.missingFields(draft);
      expect(now, key).not.toContain(key);
      expect(missing, key).toEqual(expect.arrayContaining(now));
      expect(now.length, key).toBe(missing.includes(key as FieldName) ? missing.length - 1 : missing.length);
      missing = now;
    }
    expect(missing).toEqual([]);
    expect(rules.checkApplication(draft).ok).toBe(true);
  });

  it('when TCS foods are said to be served, then the count becomes missing', () => {
    const draft = without(application(EVENT), 'tcsItemCount', 'servesTcsFoods');
    expect(rules.missingFields(draft)).toEqual(['servesTcsFoods']);
    expect(rules.missingFields(update(draft, { servesTcsFoods: true }).fields)).toEqual(['tcsItemCount']);
  });
});

describe('application schema for the model', () => {
  interface JsonSchemaObject {
    readonly properties?: Readonly<
      Record<string, { readonly const?: unknown; readonly description?: string } | undefined>
    >;
    readonly required?: readonly string[];
  }

  it('when the schema is converted to JSON Schema, then it is a choice of four objects, one per permit type', () => {
    const jsonSchema = z.toJSONSchema(rules.applicationSchema, { io: 'input' }) as {
      readonly oneOf?: readonly JsonSchemaObject[];
      readonly anyOf?: readonly JsonSchemaObject[];
    };
    const entries = jsonSchema.oneOf ?? jsonSchema.anyOf ?? [];
    expect(entries).toHaveLength(4);
    expect(entries.map((entry) => entry.properties?.permitType?.const)).toEqual([...PERMIT_TYPES]);

    const event = entries.find((entry) => entry.properties?.permitType?.const === EVENT);
    const eventStartDate = event?.properties?.eventStartDate;
    expect(eventStartDate?.description).toContain(FIELD_SPECS.eventStartDate.ask);
    expect(event?.required).toContain('eventStartDate');
    expect(event?.required).not.toContain('booths');
  });
});

describe('answers that need asking again', () => {
  it('when a menu item is blank or not text, then the message is a plain sentence', () => {
    expect(onlyProblem(rules.checkApplication(application(EVENT, { menuItems: ['Tacos', '  '] }))).message).toBe(
      'One of the menu items is empty; please name the dish or drink.',
    );
    expect(onlyProblem(rules.checkApplication(application(EVENT, { menuItems: [3] }))).message).toBe(
      'Each menu item must be given as words, such as "beef tacos".',
    );
  });

  it('when a conditional field is given but invalid, then it is one problem and not also missing', () => {
    const { missing, problems } = refused(
      rules.checkApplication(application(EVENT, { servesTcsFoods: true, tcsItemCount: 0 })),
    );
    expect(missing).toEqual([]);
    expect(problems).toEqual([
      { field: 'tcsItemCount', message: expect.stringContaining('whole number from 1 to 200') as string },
    ]);
  });

  it('when a stored date has passed since it was given, then missingFields asks for it again', () => {
    const later = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => '2027-06-01' });
    expect(later.missingFields(application('food_establishment', { openingDate: '2027-03-03' }))).toEqual([
      'openingDate',
    ]);
  });

  it('when a new first day falls after the stored last day, then the message asks for the first day', () => {
    const result = update(
      { permitType: EVENT, eventStartDate: '2027-03-03', eventEndDate: '2027-03-05' },
      { eventStartDate: '2027-03-06' },
    );
    expect(result.accepted).toEqual([]);
    expect(result.problems).toEqual([
      {
        field: 'eventStartDate',
        message:
          'The first day of the event, March 6, 2027, is after the last day, March 5, 2027; please give the day the event starts.',
      },
    ]);
    expect(result.fields.eventStartDate).toBe('2027-03-03');
  });

  it('when a new opening time equals the stored closing time, then the message asks for the opening time', () => {
    const result = update(
      { permitType: EVENT, dailyOpenTime: '09:00', dailyCloseTime: '17:00' },
      { dailyOpenTime: '5pm' },
    );
    expect(result.problems).toEqual([
      {
        field: 'dailyOpenTime',
        message: 'The opening time is the same as the closing time, 5 PM; please give the time you open.',
      },
    ]);
  });

  it('when a patch sends the last day before the first, whatever the key order, then the first day is kept and the last day refused', () => {
    const result = update({ permitType: EVENT }, { eventEndDate: '2027-03-02', eventStartDate: '2027-03-03' });
    expect(result.accepted).toEqual(['eventStartDate']);
    expect(result.problems.map((p) => p.field)).toEqual(['eventEndDate']);
  });

  it('when a phone number is outside North America, then it is refused, saying only US and Canadian numbers are taken', () => {
    const result = update({}, { contactPhone: '+44 20 7946 0958' });
    expect(result.accepted).toEqual([]);
    expect(result.problems[0]?.message).toContain('we can only take US and Canadian numbers');
  });
});

// Rules built inside each test, not only once at import: what the constructor derives is then checked on every run.
describe('rules built for a department', () => {
  const build = () => new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });

  it('when the department lists no health district, then the rules refuse to start, saying why', () => {
    expect(() => new PermitRules({ healthDistricts: [], today: () => TODAY })).toThrow(
      new Error('PermitRules needs at least one health district'),
    );
  });

  it('when the fields of an event permit are listed, then they go group by group: applicant, operation, food, declarations', () => {
    expect(build().fieldsOf(EVENT)).toEqual([
      'permitType',
      'applicantName',
      'businessName',
      'entityType',
      'contactPhone',
      'email',
      'healthDistrict',
      'eventName',
      'eventAddress',
      'eventCoordinatorName',
      'eventCoordinatorPhone',
      'eventStartDate',
      'eventEndDate',
      'dailyOpenTime',
      'dailyCloseTime',
      'booths',
      'menuItems',
      'servesTcsFoods',
      'tcsItemCount',
      'foodPreparation',
      'commercialKitchenName',
      'commercialKitchenAddress',
      'certifiedFoodHandler',
      'attestation',
      'smsConsent',
    ]);
  });

  it('when a food establishment is asked about, then its own fields and the common ones are required, optional ones not', () => {
    const rules = build();
    const required = rules
      .fieldsOf('food_establishment')
      .filter((name) => rules.isRequired('food_establishment', name));
    expect(required).toEqual([
      'permitType',
      'applicantName',
      'businessName',
      'entityType',
      'contactPhone',
      'healthDistrict',
      'establishmentAddress',
      'openingDate',
      'menuItems',
      'servesTcsFoods',
      'foodPreparation',
      'certifiedFoodHandler',
      'attestation',
      'smsConsent',
    ]);
  });

  it.each(PERMIT_TYPES)(
    'when a complete %s application is checked by new rules, then it passes as that type with every common field',
    (type) => {
      const result = accepted(build().checkApplication(application(type)));
      expect(result).toMatchObject({
        permitType: type,
        applicantName: 'Rosa Delgado',
        contactPhone: FIXTURE_PHONE_E164,
        healthDistrict: 'Central',
        smsConsent: true,
      });
      expect(build().applicationSchema.safeParse(result).success).toBe(true);
    },
  );

  it('when the application schema is given a last day before the first, then it blames the last day in plain words', () => {
    const schema = build().applicationSchema;
    const result = schema.safeParse({
      ...accepted(rules.checkApplication(application(EVENT))),
      eventEndDate: '2027-03-02',
    });
    expect(result.success).toBe(false);
    // A rule across fields, not a field's own type or format: zod's 'custom' code.
    expect(
      result.error?.issues.map((issue) => ({ code: issue.code, path: issue.path, message: issue.message })),
    ).toEqual([
      {
        code: 'custom',
        path: ['eventEndDate'],
        message:
          'The last day of the event, March 2, 2027, is before the first day, March 3, 2027; please give the day the event ends.',
      },
    ]);
  });

  it('when the field schemas are asked for, then English is the default and Spanish has its own messages', () => {
    const rules = build();
    expect(rules.fieldSchemas.contactPhone.parse('(212) 555-0142')).toBe(FIXTURE_PHONE_E164);
    const english = rules.fieldSchemas.tcsItemCount.safeParse(0).error?.issues[0]?.message;
    const spanish = rules.fieldSchemasIn('es').tcsItemCount.safeParse(0).error?.issues[0]?.message;
    expect(english).toContain('whole number from 1 to 200');
    expect(spanish).toBeDefined();
    expect(spanish).not.toBe(english);
  });
});

describe('several problems at once', () => {
  it('when a TCS count is missing and the name too, then both are missing and both are asked for', () => {
    const { missing, problems } = refused(
      rules.checkApplication(without(application(EVENT, { servesTcsFoods: true }), 'tcsItemCount', 'applicantName')),
    );
    expect(missing).toEqual(['applicantName', 'tcsItemCount']);
    expect(problems).toEqual([
      { field: 'applicantName', message: FIELD_SPECS.applicantName.ask },
      { field: 'tcsItemCount', message: FIELD_SPECS.tcsItemCount.ask },
    ]);
  });

  it('when the days contradict each other and the name is missing, then both problems are given', () => {
    const { missing, problems } = refused(
      rules.checkApplication(without(application(EVENT, { eventEndDate: '2027-03-02' }), 'applicantName')),
    );
    expect(missing).toEqual(['applicantName']);
    expect(problems.map((problem) => problem.field)).toEqual(['applicantName', 'eventEndDate']);
  });

  it('when the stored days already contradict each other, then a valid closing time is still accepted', () => {
    const result = update(
      { permitType: EVENT, eventStartDate: '2027-03-05', eventEndDate: '2027-03-03' },
      { dailyCloseTime: '5pm' },
    );
    expect(result.problems).toEqual([]);
    expect(result.accepted).toEqual(['dailyCloseTime']);
  });

  it('when a key that is not a field is very long, then the message quotes only its first 40 characters', () => {
    const key = `favourite${'Colour'.repeat(10)}`;
    expect(update({}, { [key]: 'red' }).problems).toEqual([
      { field: key, message: `"${key.slice(0, 40)}" is not part of a food permit application.` },
    ]);
  });

  it('when the same permit type is given again, then the fields already answered for it are kept', () => {
    const result = update({ permitType: EVENT, eventName: 'Harvest Moon Street Fair' }, { permitType: EVENT });
    expect(result.cleared).toEqual([]);
    expect(result.fields.eventName).toBe('Harvest Moon Street Fair');
  });

  it('when the type changes after a field of the old type was cleared, then only fields that held a value are listed as cleared', () => {
    const cleared = update({ permitType: EVENT, eventName: 'Harvest Moon Street Fair' }, { eventName: null }).fields;
    const result = update(
      { ...cleared, eventAddress: '100 Main Street, Springfield' },
      { permitType: 'food_establishment' },
    );
    expect(result.cleared).toEqual(['eventAddress']);
  });
});
