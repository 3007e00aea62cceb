import { createHmac, timingSafeEqual } from 'node:crypto';
import { isReferenceNumber } from '../permits/reference-number.ts';
import type { DataKey } from '../keys/data-keys.ts';
import { deriveSubkey } from '../keys/subkeys.ts';
import { MAX_REVIEW_LINK_LENGTH } from './summary-text.ts';

/**
 * The link in the SMS summary: `{base}/s/{reference}-{mac}`, where the MAC
 * proves the link came from us, so nobody can page through references to
 * read other applicants' status. It is short because it has to fit the
 * two-segment SMS budget (MAX_REVIEW_LINK_LENGTH characters).
 */

const LINK_INFO = 'permitline sms review link v1';
// 96 bits: guessing is hopeless, and the link stays short.
const MAC_CHARS = 16;
export const REVIEW_PATH_PREFIX = '/s/';
const SAMPLE_REFERENCE = 'FP-2026-XXXXXX';

export class ReviewLinks {
  readonly #base: string;
  readonly #keys: readonly Buffer[];

  /** `dataKeys`: the first signs; all of them verify, so links sent before a key rotation keep working. */
  constructor(publicBaseUrl: URL, dataKeys: readonly DataKey[]) {
    this.#base = publicBaseUrl.href.replace(/\/$/, '');
    this.#keys = dataKeys.map((k) => deriveSubkey(k.key, LINK_INFO));
    const longest = this.linkFor(SAMPLE_REFERENCE).length;
    if (longest > MAX_REVIEW_LINK_LENGTH) {
      throw new Error(
        `PUBLIC_BASE_URL is too long for the link in the SMS summary (${longest} characters, at most ${MAX_REVIEW_LINK_LENGTH}): use a shorter origin such as https://permits.example.org`,
      );
    }
  }

  linkFor(reference: string): string {
    return `${this.#base}${REVIEW_PATH_PREFIX}${reference}-${this.#mac(this.#keys[0], reference)}`;
  }

  /** The reference a link token (the part after /s/) stands for, or undefined if it is not one of ours. */
  referenceOf(token: string): string | undefined {
    const at = token.length - MAC_CHARS - 1;
    if (at <= 0 || token[at] !== '-') return undefined;
    const reference = token.slice(0, at);
    if (!isReferenceNumber(reference)) return undefined;
    const given = Buffer.from(token.slice(at + 1));
    for (const key of this.#keys) {
      const expected = Buffer.from(this.#mac(key, reference));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return reference;
    }
    return undefined;
  }

  #mac(key: Buffer | undefined, reference: string): string {
    if (key === undefined) throw new Error('no data key to sign review links with');
    return createHmac('sha256', key).update(reference).digest('base64url').slice(0, MAC_CHARS);
  }
}
