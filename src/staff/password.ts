import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Staff passwords, hashed with scrypt. The stored string names its own
 * parameters ("scrypt$N$r$p$salt$hash"), so the cost can be raised later and
 * old hashes still verify.
 */

export const MIN_PASSWORD_CHARACTERS = 12;
// Long passphrases are welcome; the cap only bounds what a form and the hash have to take.
export const MAX_PASSWORD_CHARACTERS = 200;

// N = 2^15 with r = 8 took about 85 ms and 32 MiB per hash on the two-core machine it was measured on: slow for a guesser,
// unnoticeable at sign-in. scrypt needs 128·N·r bytes, which is exactly Node's default maxmem, so it is raised.
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const SCHEME = 'scrypt';
// What a stored string may ask of us: a tampered or corrupt row must not make verification take minutes or gigabytes.
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Characters as a person counts them: an accented letter or an emoji is one, however many code points it takes.
const CHARACTERS = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Why a password is unacceptable, in plain words; undefined when it is fine. */
export function passwordProblem(password: string): string | undefined {
  const characters = countCharacters(password);
  if (characters < MIN_PASSWORD_CHARACTERS) {
    return `The password is too short: it needs at least ${MIN_PASSWORD_CHARACTERS} characters and has ${characters}. A few unrelated words make a good one.`;
  }
  if (characters > MAX_PASSWORD_CHARACTERS) {
    return `The password is too long: it may have at most ${MAX_PASSWORD_CHARACTERS} characters.`;
  }
  return undefined;
}

function countCharacters(text: string): number {
  return Array.from(CHARACTERS.segment(text)).length;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, COST);
  return [SCHEME, COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a wrong password and for a stored string that is not one of ours; never throws on either. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === undefined) return false;
  try {
    const key = await derive(password, parsed.salt, parsed.key.length, parsed.cost);
    return timingSafeEqual(key, parsed.key);
  } catch {
    return false; // parameters that scrypt itself rejects: not a hash we wrote
  }
}

interface Cost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

function derive(password: string, salt: Buffer, length: number, cost: Cost): Promise<Buffer> {
  // The same text typed on two keyboards can arrive as different code points (é as one or as e + accent).
  const input = password.normalize('NFC');
  const options: ScryptOptions = { ...cost, maxmem: 2 * memoryNeeded(cost) };
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

function memoryNeeded(cost: Cost): number {
  return 128 * cost.N * cost.r * cost.p;
}

function parseStored(stored: string): { cost: Cost; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,10}$/.test(part) ? Number(part) : Number.NaN));
  const [saltText, keyText] = parts.slice(4);
  if (N === undefined || r === undefined || p === undefined || saltText === undefined || keyText === undefined)
    return undefined;
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16)) return undefined;
  const cost = { N, r, p };
  if (memoryNeeded(cost) * 2 > MAX_MEMORY_BYTES) return undefined;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return undefined;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < SALT_BYTES || key.length < KEY_BYTES || key.length > 64) return undefined;
  return { cost, salt, key };
}
