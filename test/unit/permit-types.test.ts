import { describe, expect, it } from 'vitest';
import { PERMIT_TYPE_LABELS, PERMIT_TYPES, isPermitType } from '../../src/permits/permit-types.ts';

describe('permit types', () => {
  it.each(PERMIT_TYPES)('when %s is checked, then it is a permit type', (type) => {
    expect(isPermitType(type)).toBe(true);
  });

  it.each(['food_truck', 'Temporary food event', '', undefined, null, 1, ['mobile_food_unit']])(
    'when %j is checked, then it is not a permit type',
    (value) => {
      expect(isPermitType(value)).toBe(false);
    },
  );

  it('when the English labels are read, then each type has its own', () => {
    expect(PERMIT_TYPE_LABELS.cottage_food_operation).toBe('Cottage food operation');
    expect(new Set(Object.values(PERMIT_TYPE_LABELS)).size).toBe(PERMIT_TYPES.length);
  });
});
