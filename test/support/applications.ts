import type { PermitType } from '../../src/permits/permit-types.ts';

/** Fictional applicants: 555-01xx numbers, invented names and places. */
export const TODAY = '2026-11-25';

export const EVERY_PERMIT_FIELDS = {
  applicantName: 'Rosa Delgado',
  businessName: 'Taco Loco',
  entityType: 'llc',
  contactPhone: '(212) 555-0142',
  email: 'rosa@example.org',
  healthDistrict: 'Central',
  menuItems: ['Carnitas tacos', 'Horchata'],
  servesTcsFoods: true,
  tcsItemCount: 1,
  foodPreparation: 'on_site',
  certifiedFoodHandler: 'Rosa Delgado',
  attestation: true,
  smsConsent: true,
} as const;

export const TYPE_FIELDS: Readonly<Record<PermitType, Readonly<Record<string, unknown>>>> = {
  temporary_food_event: {
    eventName: 'Harvest Moon Street Fair',
    eventAddress: '100 Main Street, Springfield',
    eventCoordinatorName: 'Sam Okafor',
    eventCoordinatorPhone: '212-555-0187',
    eventStartDate: '2027-03-03',
    eventEndDate: '2027-03-04',
    dailyOpenTime: '9am',
    dailyCloseTime: '6:30 pm',
  },
  mobile_food_unit: {
    unitType: 'truck',
    operationMode: 'route',
    commissaryName: 'Central Commissary',
    commissaryAddress: '7 Depot Road, Springfield',
    licensePlate: '8ABC123',
  },
  cottage_food_operation: {
    homeAddress: '12 Elm Court, Springfield',
    salesChannel: 'direct_only',
    waterSource: 'public',
  },
  food_establishment: { establishmentAddress: '400 Market Street, Springfield', openingDate: 'March 3rd' },
};

export function completeApplication(type: PermitType): Record<string, unknown> {
  return { permitType: type, ...EVERY_PERMIT_FIELDS, ...TYPE_FIELDS[type] };
}
