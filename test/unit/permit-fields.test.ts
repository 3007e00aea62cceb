import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  FIELD_NAMES,
  FIELD_SPECS,
  PERSONAL_FIELDS,
  fieldOptions,
  fieldSchemas,
  isFieldName,
} from '../../src/permits/permit-fields.ts';
import { fieldTexts } from '../../src/permits/catalogue.ts';
import { TODAY } from '../support/applications.ts';

// TODAY is Wednesday 2026-11-25.
const ctx = { healthDistricts: ['Central', 'North County'], today: () => TODAY };
// Built in each test, not once here: a schema built while the file loads belongs to no test, and the mutation run
// would then try none of these tests against the code that builds it.
const english = () => fieldSchemas(ctx);
const spanish = () => fieldSchemas(ctx, 'es');

/** The one message a form user or caller is told about a refused answer. */
function refusal(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`${JSON.stringify(value)} was accepted as ${JSON.stringify(result.data)}`);
  return result.error.issues.map((issue) => issue.message).join(' | ');
}

describe('the text fields', () => {
  it.each([
    ['  Rosa Delgado  ', 'Rosa Delgado'],
    ['x'.repeat(200), 'x'.repeat(200)],
  ])('when %j is given, then %j is kept', (input, expected) => {
    expect(english().applicantName.parse(input)).toBe(expected);
  });

  it.each([
    [undefined, 'Please give the full name of the person applying.'],
    [null, 'Please give the full name of the person applying.'],
    [42, 'Please give the full name of the person applying.'],
    ['', 'Please give the full name of the person applying.'],
    ['   ', 'Please give the full name of the person applying.'],
    [
      'Rosa\u0007 Delgado',
      "Applicant's full name contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.",
    ],
    ['x'.repeat(201), "Applicant's full name is too long; please keep it to 200 characters or fewer."],
  ])('when the applicant name is %j, then the form user is told %j', (input, message) => {
    expect(refusal(english().applicantName, input)).toBe(message);
  });

  it('when a name is refused in Spanish, then the reason is in Spanish', () => {
    expect(refusal(spanish().applicantName, '')).toBe('Díganos el nombre completo de la persona que solicita.');
    expect(refusal(spanish().applicantName, 'x'.repeat(201))).toBe(
      'Nombre completo del solicitante es demasiado largo; use 200 caracteres o menos.',
    );
    expect(refusal(spanish().applicantName, 'Rosa\u202e')).toBe(
      'Nombre completo del solicitante tiene un carácter de control o de dirección del texto que no se ve (suele venir al copiar y pegar); escríbalo de nuevo como texto simple.',
    );
  });

  it.each([
    'commercialKitchenAddress',
    'eventAddress',
    'commissaryAddress',
    'homeAddress',
    'establishmentAddress',
  ] as const)('when the %s is 300 characters, then it is kept, and at 301 it is refused', (name) => {
    expect(english()[name].parse('x'.repeat(300))).toBe('x'.repeat(300));
    expect(refusal(english()[name], 'x'.repeat(301))).toMatch(
      /is too long; please keep it to 300 characters or fewer\.$/,
    );
  });
});

describe('the phone fields', () => {
  it.each([
    ['(212) 555-0142', '+12125550142'],
    ['212-555-0142 ext 12', '+12125550142;ext=12'],
    ['+12125550142;ext=12', '+12125550142;ext=12'],
  ])('when %j is given, then %s is stored', (input, expected) => {
    expect(english().contactPhone.parse(input)).toBe(expected);
  });

  it.each([
    [undefined, 'Please give a phone number where the health department can reach you.'],
    [2125550142, 'Please give a phone number where the health department can reach you.'],
    [
      '+44 20 7946 0958',
      'Contact phone looks like a number outside the US and Canada (United Kingdom), and we can only take US and Canadian numbers; please give one with its area code.',
    ],
    // An international freephone number belongs to no country, so none is named.
    [
      '+800 1234 5678',
      'Contact phone looks like a number outside the US and Canada, and we can only take US and Canadian numbers; please give one with its area code.',
    ],
    [
      'call me on the landline',
      'We did not hear a phone number for contact phone; please give all ten digits, area code first.',
    ],
    ['5', 'We heard 1 digit for contact phone, and a US number has ten; please give all ten digits, area code first.'],
    [
      '212 555',
      'We heard 6 digits for contact phone, and a US number has ten; please give all ten digits, area code first.',
    ],
  ])('when the contact phone is %j, then the caller is told %j', (input, message) => {
    expect(refusal(english().contactPhone, input)).toBe(message);
  });

  it('when a number from abroad is refused in Spanish, then its country is named in Spanish', () => {
    expect(refusal(spanish().contactPhone, '+44 20 7946 0958')).toBe(
      'Teléfono de contacto parece un número de fuera de Estados Unidos y Canadá (Reino Unido), y solo podemos aceptar números de Estados Unidos y Canadá; díganos uno con su código de área.',
    );
  });

  it('when the event coordinator phone is too short, then the message names that field', () => {
    expect(refusal(english().eventCoordinatorPhone, '555 01')).toBe(
      'We heard 5 digits for event coordinator phone, and a US number has ten; please give all ten digits, area code first.',
    );
  });
});

describe('the date fields', () => {
  it.each([
    ['2026-11-25', '2026-11-25'],
    ['March 3rd 2027', '2027-03-03'],
    ['Tuesday December 1 2026', '2026-12-01'],
  ])('when the opening date is %j, then it is %s', (input, expected) => {
    expect(english().openingDate.parse(input)).toBe(expected);
  });

  it.each([
    [undefined, 'Please give the date you expect to open.'],
    [
      '2026-11-24',
      'The anticipated opening date, November 24, 2026, is in the past; please give a date from today on.',
    ],
    [
      'June 5 to June 7',
      'We heard a range, June 5, 2027 to June 7, 2027; the anticipated opening date is one day, so please give just that day.',
    ],
    [
      'Saturday December 4th',
      'December 4, 2026 is a Friday, not a Saturday; did you mean Friday the 4th or Saturday the 5th?',
    ],
    [
      'Sunday December 1st',
      'December 1, 2026 is a Tuesday, not a Sunday; did you mean Tuesday the 1st or Sunday the 29th?',
    ],
    [
      'Thursday December 2nd',
      'December 2, 2026 is a Wednesday, not a Thursday; did you mean Wednesday the 2nd or Thursday the 3rd?',
    ],
    ['2026-02-30', 'We could not read "2026-02-30" as a date; please give a date such as March 3, 2027 or 03/03/2027.'],
    ['x'.repeat(60), 'We could not read that as a date; please give a date such as March 3, 2027 or 03/03/2027.'],
  ])('when the opening date is %j, then the form user is told %j', (input, message) => {
    expect(refusal(english().openingDate, input)).toBe(message);
  });

  it.each([
    [
      '2026-11-24',
      'La fecha de «fecha prevista de apertura», 24 de noviembre de 2026, ya pasó; díganos una fecha de hoy en adelante.',
    ],
    [
      'el sábado 4 de diciembre',
      'El 4 de diciembre de 2026 es viernes, no sábado; ¿quiso decir el viernes 4 o el sábado 5?',
    ],
    ['blorp', 'No pudimos leer "blorp" como una fecha; díganos una fecha como 3 de marzo de 2027 o 03/03/2027.'],
  ])('when the opening date is %j in Spanish, then the form user is told %j', (input, message) => {
    expect(refusal(spanish().openingDate, input)).toBe(message);
  });

  it('when "today" moves on, then the same schema refuses what was today', () => {
    let today = '2026-11-25';
    const schemas = fieldSchemas({ ...ctx, today: () => today });
    expect(schemas.eventStartDate.parse('2026-11-25')).toBe('2026-11-25');
    today = '2026-11-26';
    expect(refusal(schemas.eventStartDate, '2026-11-25')).toMatch(/is in the past/);
  });
});

describe('the time fields', () => {
  it.each([
    ['9am', '09:00'],
    ['half past six in the evening', '18:30'],
    ['21:00', '21:00'],
  ])('when the opening time is %j, then it is %s', (input, expected) => {
    expect(english().dailyOpenTime.parse(input)).toBe(expected);
  });

  it.each([
    [undefined, 'Please give the time you open each day, for example 9 AM.'],
    ['9', 'We heard 9 without morning or evening; please say 9 in the morning or 9 in the evening.'],
    ['9:05', 'We heard 9:05 without morning or evening; please say 9:05 in the morning or 9:05 in the evening.'],
    ['9 to 5', 'We heard 9 AM to 5 PM; the opening time each day is one time, so please give just that time.'],
    ['blorp', 'We could not read "blorp" as a time; please say it like 9 in the morning or 6:30 in the evening.'],
  ])('when the opening time is %j, then the caller is told %j', (input, message) => {
    expect(refusal(english().dailyOpenTime, input)).toBe(message);
  });

  it('when an opening range is refused in Spanish, then the hours are written the Spanish way', () => {
    expect(refusal(spanish().dailyOpenTime, '9 a 5')).toBe(
      'Recibimos de 9 a. m. a 5 p. m.; en «hora de apertura cada día» va una sola hora, así que díganos solo esa hora.',
    );
  });
});

describe('the count fields', () => {
  it.each([
    [1, 1],
    [200, 200],
  ])('when the number of TCS items is %j, then it is kept', (input, expected) => {
    expect(english().tcsItemCount.parse(input)).toBe(expected);
  });

  it.each([0, 1.5, 201, 'three'])('when the number of TCS items is %j, then the range is given', (input) => {
    expect(refusal(english().tcsItemCount, input)).toBe(
      'How many of your menu items need time or temperature control: please give a whole number from 1 to 200.',
    );
  });

  it.each([undefined, null])('when the number of booths is %j, then the question is asked again', (input) => {
    expect(refusal(english().booths, input)).toBe('Please say how many booths you will run.');
    expect(refusal(english().tcsItemCount, input)).toBe(
      'Please say how many of your menu items must be kept hot or cold for safety.',
    );
  });

  it('when a count is refused in Spanish, then the label loses its question marks but keeps its accents', () => {
    expect(refusal(spanish().tcsItemCount, 0)).toBe(
      'Cuántos platos de su menú necesitan control de tiempo o temperatura: díganos un número entero del 1 al 200.',
    );
    expect(refusal(spanish().booths, 51)).toBe('Número de puestos: díganos un número entero del 1 al 50.');
  });
});

describe('the menu', () => {
  it('when items are given with spaces around them, then they are trimmed', () => {
    expect(english().menuItems.parse([' Carnitas tacos ', 'Horchata'])).toEqual(['Carnitas tacos', 'Horchata']);
    expect(english().menuItems.parse(Array<string>(40).fill('Taco'))).toHaveLength(40);
  });

  it.each([
    [undefined, 'Please list the food and drinks you will serve.'],
    ['tacos', 'Please list the food and drinks you will serve.'],
    [[], 'Please list the food and drinks you will serve.'],
    [[3], 'Each menu item must be given as words, such as "beef tacos".'],
    [['Tacos', ' '], 'One of the menu items is empty; please name the dish or drink.'],
    [
      ['Tacos\u202e'],
      'One of the menu items contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.',
    ],
    [['x'.repeat(121)], 'Each menu item must be 120 characters or fewer; please shorten it.'],
    [Array<string>(41).fill('Taco'), 'Please list at most 40 menu items; group similar ones together.'],
  ])('when the menu is %j, then the form user is told %j', (input, message) => {
    expect(refusal(english().menuItems, input)).toBe(message);
  });
});

describe('the choice, yes-no, email and consent fields', () => {
  it.each([
    [
      'entityType',
      'nope',
      'Please say whether the business is an individual or sole proprietor, a partnership, an LLC, a corporation or a nonprofit.',
    ],
    ['healthDistrict', 'South', 'Please choose the health district where you will operate.'],
    ['email', 'rosa@', 'That email address does not look right; please check it, or leave it out.'],
    ['email', undefined, 'Please give an email address, or leave it out.'],
    ['smsConsent', 'yes', 'Please say whether we may send you a text message with your reference number.'],
    [
      'attestation',
      false,
      'Please confirm that the information is true and that health inspectors may enter to inspect.',
    ],
  ] as const)('when the %s is %j, then the form user is told %j', (name, input, message) => {
    expect(refusal(english()[name], input)).toBe(message);
  });

  it('when the right values are given, then they are kept', () => {
    expect(english().entityType.parse('llc')).toBe('llc');
    expect(english().healthDistrict.parse('North County')).toBe('North County');
    expect(english().smsConsent.parse(false)).toBe(false);
    expect(english().attestation.parse(true)).toBe(true);
  });
});

describe("the schemas the voice agent's tools are built from", () => {
  it.each(FIELD_NAMES)('when %s is described, then its title is its label and its description asks for it', (name) => {
    const described = z.toJSONSchema(english()[name], { io: 'input' });
    expect(described.title).toBe(FIELD_SPECS[name].label);
    expect(described.description?.startsWith(FIELD_SPECS[name].ask)).toBe(true);
  });

  it('when the Spanish schemas are described, then they carry the Spanish texts', () => {
    const described = z.toJSONSchema(spanish().booths);
    expect(described.title).toBe(fieldTexts('booths', 'es').label);
    expect(described.description).toBe(fieldTexts('booths', 'es').ask);
  });

  it.each([
    [
      'contactPhone',
      'Any common format, spoken digits too; stored as +1XXXXXXXXXX, with ;ext=N when an extension is given.',
    ],
    [
      'eventStartDate',
      'ISO YYYY-MM-DD preferred; spoken dates ("March 3rd", "next Friday", "el tres de marzo") are understood.',
    ],
    [
      'dailyOpenTime',
      '24-hour HH:MM preferred; "9am", "nine in the morning" and "half past six in the evening" are understood.',
    ],
    ['smsConsent', 'true for yes, false for no.'],
    ['attestation', 'Only true, and only after the applicant said yes.'],
  ] as const)('when %s is described, then the model is told the format: %j', (name, format) => {
    expect(z.toJSONSchema(english()[name], { io: 'input' }).description).toBe(`${FIELD_SPECS[name].ask} ${format}`);
  });
});

describe('the field specs', () => {
  it('when a name is asked about, then only the fields of an application are field names', () => {
    expect(isFieldName('eventName')).toBe(true);
    expect(isFieldName('toString')).toBe(false);
    expect(isFieldName('eventname')).toBe(false);
  });

  it('when personal fields are listed, then names, phones and addresses are, choices and dates are not', () => {
    expect(PERSONAL_FIELDS).toEqual(
      expect.arrayContaining(['applicantName', 'contactPhone', 'homeAddress', 'menuItems']),
    );
    expect(PERSONAL_FIELDS).not.toContain('permitType');
    expect(PERSONAL_FIELDS).not.toContain('eventStartDate');
  });

  it('when a spec has texts beyond label and question, then it carries them in English', () => {
    expect(FIELD_SPECS.tcsItemCount.requiredWhen).toBe('Only if you serve such foods.');
    expect(FIELD_SPECS.booths.hint).toBe(fieldTexts('booths', 'en').hint);
    expect(FIELD_SPECS.applicantName).not.toHaveProperty('options');
    expect(FIELD_SPECS.applicantName).not.toHaveProperty('hint');
    expect(FIELD_SPECS.applicantName).not.toHaveProperty('requiredWhen');
    expect(FIELD_SPECS.permitType.options?.map((o) => o.label)).toEqual([
      'Temporary food event',
      'Mobile food unit',
      'Cottage food operation',
      'Food establishment',
    ]);
  });
});

describe('fieldOptions', () => {
  it('when the districts are asked for, then they come from the configuration, labelled as themselves', () => {
    expect(fieldOptions('healthDistrict', ctx)).toEqual([
      { value: 'Central', label: 'Central' },
      { value: 'North County', label: 'North County' },
    ]);
  });

  it('when the permit types are asked for in Spanish, then their labels are Spanish', () => {
    expect(fieldOptions('permitType', ctx, 'es')).toEqual([
      { value: 'temporary_food_event', label: 'Evento temporal de comida' },
      { value: 'mobile_food_unit', label: 'Unidad móvil de comida' },
      { value: 'cottage_food_operation', label: 'Producción casera de alimentos' },
      { value: 'food_establishment', label: 'Establecimiento de comida' },
    ]);
    expect(fieldOptions('permitType', ctx)[0]).toEqual({
      value: 'temporary_food_event',
      label: 'Temporary food event',
    });
  });

  it('when a fixed choice is asked for, then its catalogue options come back; a text field has none', () => {
    expect(fieldOptions('unitType', ctx, 'es')).toEqual([
      { value: 'truck', label: 'Camión' },
      { value: 'trailer', label: 'Remolque' },
      { value: 'cart', label: 'Carrito' },
    ]);
    expect(fieldOptions('applicantName', ctx)).toEqual([]);
  });
});
