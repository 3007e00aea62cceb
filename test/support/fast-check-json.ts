import fc from 'fast-check';

/** What a frame's field may hold instead of what the schema wants: any JSON value, nested a little. */
export const jsonJunk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Mostly a value the schema takes (`weight` to 1), sometimes one it does not. */
export const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>, weight: number) =>
  fc.oneof({ arbitrary: good, weight }, { arbitrary: bad, weight: 1 });
