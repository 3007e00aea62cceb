/**
 * Base64 decoding that accepts only the spelling we write. Buffer.from skips
 * characters it does not understand, takes either alphabet and ignores the
 * spare low bits of the last character, so without this check a typo in a
 * key, or a second spelling of a token, would decode as if it were ours.
 */

const BITS_PER_BYTE = 8;
const BITS_PER_CHARACTER = 6;

export type Base64Alphabet = 'base64' | 'base64url';

/** The bytes `text` spells, or undefined unless it is their canonical spelling (and `expectedBytes` long, when given). */
export function decodeCanonical(text: string, alphabet: Base64Alphabet, expectedBytes?: number): Buffer | undefined {
  const bytes = Buffer.from(text, alphabet);
  if (bytes.toString(alphabet) !== text) return undefined;
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) return undefined;
  return bytes;
}

/** Characters of `bytes` bytes in base64url, which has no padding. */
export function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * BITS_PER_BYTE) / BITS_PER_CHARACTER);
}
