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

import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DataKey {
  id: string;
  key: Buffer;
}

/** AES-256 and HKDF-SHA256 input: 32 bytes of key material. */
export const KEY_BYTES = 32;

/**
 * A 32-byte key for one purpose (field encryption, lookup hashes, CSRF,
 * stream tokens), derived from a data key with HKDF-SHA256, so no data key is
 * used directly and one purpose's key reveals nothing of another's. The salt
 * is empty: data keys are uniformly random, for which RFC 5869 needs none.
 */
export function deriveSubkey(dataKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), purpose, KEY_BYTES));
}

/**
 * Key ids are stored beside every encrypted value and lookup hash, so they are
 * kept short and free of `.`, `:` and `,`, the separators of the token, the
 * entry and the list.
 */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const ENTRY_SEPARATOR = ',';
const ID_SEPARATOR = ':';
const DEV_KEY_FILE_MODE = 0o600;
const DEV_KEY_DIR_MODE = 0o700;

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

    const key = decodeKey(encodedKey);
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

/**
 * Development only: a key file beside the local database so `npm start` works
 * without setup and data survives restarts. Production must set DATA_KEYS.
 */
export function loadOrCreateDevDataKeys(filePath: string): { text: string; created: boolean } {
  const existing = readIfExists(filePath);
  if (existing !== undefined) {
    return { text: existing, created: false };
  }

  const text = generateDataKeysText(new Date());
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from our own config, not a request
  mkdirSync(dirname(filePath), { recursive: true, mode: DEV_KEY_DIR_MODE });
  try {
    // 'wx' fails instead of overwriting: if another process created the file
    // since we looked, its key may already protect data, so we use that one.
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from our own config, not a request
    writeFileSync(filePath, `${text}\n`, { mode: DEV_KEY_FILE_MODE, flag: 'wx' });
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) {
      return { text: readFile(filePath), created: false };
    }
    throw error;
  }
  return { text, created: true };
}

function decodeKey(encoded: string): Buffer | undefined {
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from skips characters it does not understand, so a typo would
  // silently become a different key; accept only the canonical encoding.
  if (key.length !== KEY_BYTES || key.toString('base64') !== encoded) {
    return undefined;
  }
  return key;
}

function readIfExists(filePath: string): string | undefined {
  try {
    return readFile(filePath);
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) {
      return undefined;
    }
    throw error;
  }
}

function readFile(filePath: string): string {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from our own config, not a request
  return readFileSync(filePath, 'utf8').trim();
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function fail(problem: string): ParseDataKeysResult {
  return { ok: false, problem };
}
