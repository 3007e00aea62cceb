import { hkdfSync } from 'node:crypto';
import { KEY_BYTES } from './data-keys.ts';

/**
 * A 32-byte key for one purpose (field encryption, lookup hashes, CSRF,
 * stream tokens), derived from a data key with HKDF-SHA256, so no data key is
 * used directly and one purpose's key reveals nothing of another's. The salt
 * is empty: data keys are already uniformly random, so HKDF's extract step
 * has nothing to add.
 */
export function deriveSubkey(dataKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), purpose, KEY_BYTES));
}
