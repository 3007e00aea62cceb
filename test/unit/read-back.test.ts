import { describe, expect, it } from 'vitest';
import type { FieldName } from '../../src/permits/permit-fields.ts';
import type { DraftFields } from '../../src/permits/permit-rules.ts';
import { readBack, spokenPhone, spokenValue, writtenPhone, writtenSummary } from '../../src/permits/read-back.ts';

const context = { healthDistricts: ['Central', 'North County'], today: () => '2026-11-25' };

/** A draft as stored: canonical values, a phone with an extension, one field not answered yet (businessName). */
const draft: DraftFields = {
  permitType: 'temporary_food_event',
  applicantName: 'Rosa Delgado',
  contactPhone: '+12125550142;ext=12',
  healthDistrict: 'North County',
  menuItems: ['Carnitas tacos', 'Horchata'],
  servesTcsFoods: true,
  tcsItemCount: 3,
  foodPreparation: 'commercial_kitchen',
  attestation: true,
  smsConsent: false,
  eventStartDate: '2027-03-03',
  dailyOpenTime: '09:30',
};

const ORDER: readonly FieldName[] = [
  'permitType',
  'applicantName',
  'businessName',
  'contactPhone',
  'healthDistrict',
  'menuItems',
  'tcsItemCount',
  'foodPreparation',
  'smsConsent',
  'eventStartDate',
  'dailyOpenTime',
];

describe('read-back to a caller', () => {
  it('when a draft is read back, then each answered field is "label: value" in the given order, unanswered ones left out', () => {
    expect(readBack(draft, ORDER, context)).toEqual([
      'Permit type: Temporary food event',
      "Applicant's full name: Rosa Delgado",
      'Contact phone: 2 1 2, 5 5 5, 0 1 4 2, extension 1 2',
      'Health district: North County',
      'Menu items (one per line): Carnitas tacos, Horchata',
      'How many of your menu items need time or temperature control?: 3',
      'Where is the food prepared?: At a permitted commercial kitchen',
      'Send me a text message with my reference number: no',
      'First day of the event: March 3, 2027',
      'Opening time each day: 9:30 AM',
    ]);
  });

  it('when a draft is read back in Spanish, then labels, dates, times and the extension are in Spanish', () => {
    expect(readBack(draft, ['permitType', 'contactPhone', 'eventStartDate', 'dailyOpenTime'], context, 'es')).toEqual([
      'Tipo de permiso: Evento temporal de comida',
      'Teléfono de contacto: 2 1 2, 5 5 5, 0 1 4 2, extensión 1 2',
      'Primer día del evento: 3 de marzo de 2027',
      'Hora de apertura cada día: 9:30 a. m.',
    ]);
  });

  it.each<[FieldName, unknown, string]>([
    ['servesTcsFoods', true, 'yes'],
    ['servesTcsFoods', false, 'no'],
    ['attestation', true, 'yes'],
    ['smsConsent', 'yes', 'no'],
    ['entityType', 'llc', 'LLC'],
    ['entityType', 'guild', 'guild'],
    ['menuItems', ['Tamales'], 'Tamales'],
    ['menuItems', 'Tamales', 'Tamales'],
    ['eventEndDate', '2027-12-31', 'December 31, 2027'],
    ['dailyCloseTime', '18:00', '6 PM'],
    ['dailyCloseTime', '00:15', '12:15 AM'],
    ['eventStartDate', 20270303, '20270303'],
    ['dailyOpenTime', 930, '930'],
    ['contactPhone', 2125550142, '2125550142'],
    ['businessName', 'Taco Loco', 'Taco Loco'],
    ['booths', 2, '2'],
    ['licensePlate', { plate: '8ABC123' }, '{"plate":"8ABC123"}'],
  ])('when %s holds %j, then it is said as "%s"', (name, value, said) => {
    expect(spokenValue(name, value, context)).toBe(said);
  });

  it('when a yes-or-no answer is said in Spanish, then it is "sí" or "no"', () => {
    expect([
      spokenValue('servesTcsFoods', true, context, 'es'),
      spokenValue('smsConsent', false, context, 'es'),
    ]).toEqual(['sí', 'no']);
  });

  it.each([
    ['+12125550142', '2 1 2, 5 5 5, 0 1 4 2'],
    ['+12125550142;ext=12', '2 1 2, 5 5 5, 0 1 4 2, extension 1 2'],
    ['2125550142', '2 1 2, 5 5 5, 0 1 4 2'],
    ['+442079460958', '4 4 2 0 7 9 4 6 0 9 5 8'],
    ['+1212555014', '2 1 2 5 5 5 0 1 4'],
  ])('when the phone %s is said, then it is "%s"', (stored, said) => {
    expect(spokenPhone(stored)).toBe(said);
  });
});

describe('written summary on a page', () => {
  it('when a draft is summarised, then each answered field is a label and a value, the phone written as a page shows it', () => {
    expect(writtenSummary(draft, ['applicantName', 'businessName', 'contactPhone', 'smsConsent'], context)).toEqual([
      { label: "Applicant's full name", value: 'Rosa Delgado' },
      { label: 'Contact phone', value: '(212) 555-0142 ext. 12' },
      { label: 'Send me a text message with my reference number', value: 'no' },
    ]);
  });

  it('when a draft is summarised in Spanish, then the labels and values are in Spanish', () => {
    expect(writtenSummary(draft, ['contactPhone', 'servesTcsFoods', 'eventStartDate'], context, 'es')).toEqual([
      { label: 'Teléfono de contacto', value: '(212) 555-0142 ext. 12' },
      {
        label:
          '¿Sirve alimentos que necesitan control de tiempo o temperatura (por ejemplo carne, lácteos, arroz cocido, melón cortado)?',
        value: 'sí',
      },
      { label: 'Primer día del evento', value: '3 de marzo de 2027' },
    ]);
  });

  it('when a stored phone is not text, then the summary shows it as it is', () => {
    expect(writtenSummary({ eventCoordinatorPhone: 2125550187 }, ['eventCoordinatorPhone'], context)).toEqual([
      { label: 'Event coordinator phone', value: '2125550187' },
    ]);
  });

  it.each([
    ['+14255550187', '(425) 555-0187'],
    ['+14255550187;ext=12', '(425) 555-0187 ext. 12'],
    ['4255550187', '(425) 555-0187'],
    ['+442079460958', '+442079460958'],
    ['+1425555018', '+1425555018'],
  ])('when the phone %s is written, then it is "%s"', (stored, written) => {
    expect(writtenPhone(stored)).toBe(written);
  });
});
