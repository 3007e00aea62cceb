import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { KEY_BYTES, KEY_ID_PATTERN, type DataKey } from './data-keys.ts';

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

/** One purpose's key under one data key, named by that data key's id. */
export interface Subkey {
  readonly keyId: string;
  readonly key: KeyObject;
}

/**
 * One purpose's subkey under every configured data key, in DATA_KEYS order:
 * the first (current) one makes new values, any of them reads old ones. Only
 * the derived keys are kept, as KeyObjects, which never print their bytes;
 * the caller's DataKey buffers are not retained.
 */
export class SubkeyRing {
  readonly #subkeys: readonly Subkey[];
  readonly #byId: ReadonlyMap<string, Subkey>;
  readonly #current: Subkey;

  /** `owner` names the user in the error when there is no key, e.g. "FieldCipher". */
  constructor(dataKeys: readonly DataKey[], purpose: string, owner: string) {
    requireDistinctWellFormedKeys(dataKeys);
    const subkeys = dataKeys.map(({ id, key }) => ({ keyId: id, key: createSecretKey(deriveSubkey(key, purpose)) }));
    const [current] = subkeys;
    if (current === undefined) {
      throw new Error(`${owner}: no data key to use; DATA_KEYS must list at least one data key.`);
    }
    this.#subkeys = subkeys;
    this.#byId = new Map(subkeys.map((subkey) => [subkey.keyId, subkey]));
    this.#current = current;
  }

  /** The subkey that makes new values: the first data key's. */
  get current(): Subkey {
    return this.#current;
  }

  /** Every subkey, current first. */
  get all(): readonly Subkey[] {
    return this.#subkeys;
  }

  get keyIds(): string[] {
    return this.#subkeys.map((subkey) => subkey.keyId);
  }

  /** The subkey under data key `keyId`, or undefined when DATA_KEYS does not list it. */
  find(keyId: string): Subkey | undefined {
    return this.#byId.get(keyId);
  }
}

// parseDataKeys already refuses these, but keys can also come from code (tests,
// tools), and a repeated id would make every value under it ambiguous.
function requireDistinctWellFormedKeys(dataKeys: readonly DataKey[]): void {
  const seenIds = new Set<string>();
  for (const [index, { id, key }] of dataKeys.entries()) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new Error(`Data key ${index + 1} has an invalid id; use 1 to 32 letters, digits, '_' or '-'.`);
    }
    if (key.length !== KEY_BYTES) {
      throw new Error(`Data key "${id}" is ${key.length} bytes; it must be ${KEY_BYTES}.`);
    }
    if (seenIds.has(id)) {
      throw new Error(`Data key id "${id}" appears twice; give every key its own id.`);
    }
    seenIds.add(id);
  }
}
