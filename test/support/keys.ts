import { parseDataKeys, type DataKey } from '../../src/keys/data-keys.ts';

/** Fixed test keys (never used anywhere else): two, so rotation can be exercised. */
export const TEST_KEY_A = `ka:${Buffer.alloc(32, 1).toString('base64')}`;
export const TEST_KEY_B = `kb:${Buffer.alloc(32, 2).toString('base64')}`;

export function testDataKeys(text = TEST_KEY_A): DataKey[] {
  const parsed = parseDataKeys(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.keys;
}
