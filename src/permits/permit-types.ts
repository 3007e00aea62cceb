/** The four kinds of food permit the department issues; the discriminant of every application. */
export const PERMIT_TYPES = [
  'temporary_food_event',
  'mobile_food_unit',
  'cottage_food_operation',
  'food_establishment',
] as const;

export type PermitType = (typeof PERMIT_TYPES)[number];

export const PERMIT_TYPE_LABELS: Readonly<Record<PermitType, string>> = {
  temporary_food_event: 'Temporary food event',
  mobile_food_unit: 'Mobile food unit',
  cottage_food_operation: 'Cottage food operation',
  food_establishment: 'Food establishment',
};

export function isPermitType(value: unknown): value is PermitType {
  return typeof value === 'string' && (PERMIT_TYPES as readonly string[]).includes(value);
}
