import { en } from './catalogues/en.ts';

/** The four kinds of food permit the department issues; the discriminant of every application. */
export const PERMIT_TYPES = [
  'temporary_food_event',
  'mobile_food_unit',
  'cottage_food_operation',
  'food_establishment',
] as const;

export type PermitType = (typeof PERMIT_TYPES)[number];

/** The English labels, from the English catalogue; permitTypeLabel (catalogue.ts) gives them in any language. */
export const PERMIT_TYPE_LABELS: Readonly<Record<PermitType, string>> = en.permitTypes;

export function isPermitType(value: unknown): value is PermitType {
  // includes compares with ===, so anything that is not one of the strings is refused without a typeof test.
  return (PERMIT_TYPES as readonly unknown[]).includes(value);
}
