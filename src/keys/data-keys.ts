// The DATA_KEYS setting: the keys that encrypt personal data at rest.
//
// Format: an ordered, comma-separated list of `id:base64key` entries, e.g.
//   DATA_KEYS=k20261125:q1…=,k20250301:Zx…=
// The FIRST entry encrypts new values; every entry can decrypt. To rotate,
// put a new key first, keep the old ones, run `npm run rekey`, then drop them.
//
// Error messages never repeat any part of an entry that failed to parse: an
// entry written the wrong way round (`key:id`) would otherwise put the key
// itself into the start-up log.

import { randomBytes } from 'node:crypto';
import { decodeCanonical } from './canonical-base64.ts';

export interface DataKey {
  id: string;
  key: Buffer;
}

/** AES-256 and HKDF-SHA256 input: 32 bytes of key material. */
export const KEY_BYTES = 32;

/**
 * Key ids are stored beside every encrypted value and lookup hash, so they are
 * kept short and free of `.`, `:` and `,`, the separators of the token, the
 * entry and the list.
 */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const ENTRY_SEPARATOR = ',';
const ID_SEPARATOR = ':';

const GENERATE_KEY_COMMAND = `node -e "console.log(require('node:crypto').randomBytes(${KEY_BYTES}).toString('base64'))"`;

export type ParseDataKeysResult = { ok: true; keys: DataKey[] } | { ok: false; problem: string };

export function parseDataKeys(text: string): ParseDataKeysResult {
  const trimmed = text.trim();
  if (trimmed === '') {
    return fail(
      `DATA_KEYS is empty; set it to one or more id:base64key entries, for example k1:<key>, with a key from: ${GENERATE_KEY_COMMAND}`,
    );
  }

  const keys: DataKey[] = [];
  const seenIds = new Set<string>();
  const entries = trimmed.split(ENTRY_SEPARATOR);

  for (const [index, rawEntry] of entries.entries()) {
    const entryNumber = index + 1;
    const entry = rawEntry.trim();
    if (entry === '') {
      return fail(`DATA_KEYS entry ${entryNumber} is empty; remove the extra comma.`);
    }

    const separatorAt = entry.indexOf(ID_SEPARATOR);
    if (separatorAt === -1) {
      return fail(`DATA_KEYS entry ${entryNumber} has no colon; write each entry as id:base64key.`);
    }

    const id = entry.slice(0, separatorAt);
    const encodedKey = entry.slice(separatorAt + 1);
    if (!KEY_ID_PATTERN.test(id)) {
      return fail(
        `DATA_KEYS entry ${entryNumber} has an invalid key id; use 1 to 32 letters, digits, '_' or '-' before the colon (id:base64key).`,
      );
    }
    if (seenIds.has(id)) {
      return fail(`DATA_KEYS entry ${entryNumber} repeats the key id "${id}"; give every key its own id.`);
    }

    const key = decodeCanonical(encodedKey, 'base64', KEY_BYTES);
    if (key === undefined) {
      return fail(
        `DATA_KEYS entry ${entryNumber} is not ${KEY_BYTES} bytes of base64; generate one with: ${GENERATE_KEY_COMMAND}`,
      );
    }

    seenIds.add(id);
    keys.push({ id, key });
  }

  return { ok: true, keys };
}

/** A fresh one-key DATA_KEYS value whose id records the day it was made. */
export function generateDataKeysText(now: Date): string {
  const day = now.toISOString().slice(0, 'YYYY-MM-DD'.length).replaceAll('-', '');
  return `k${day}${ID_SEPARATOR}${randomBytes(KEY_BYTES).toString('base64')}`;
}

function fail(problem: string): ParseDataKeysResult {
  return { ok: false, problem };
}
