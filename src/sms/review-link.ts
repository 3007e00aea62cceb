import { base64urlLength } from '../keys/canonical-base64.ts';
import type { DataKey } from '../keys/data-keys.ts';
import { SignedTokens, type TextTokenFormat } from '../keys/signed-tokens.ts';
import { isReferenceNumber } from '../permits/reference-number.ts';
import { MAX_REVIEW_LINK_LENGTH } from './summary-text.ts';

/**
 * The link in the SMS summary: `{base}/s/{reference}-{mac}`, where the MAC
 * proves the link came from us, so nobody can page through references to
 * read other applicants' status. It is short because it has to fit the
 * two-segment SMS budget (MAX_REVIEW_LINK_LENGTH characters). It does not
 * expire: the applicant may look at their status whenever they like.
 */

// 96 bits: guessing is hopeless, and the link stays short (16 characters).
const MAC_BYTES = 12;
const MAC_CHARS = base64urlLength(MAC_BYTES);
const MAC_SEPARATOR = '-';
export const REVIEW_PATH_PREFIX = '/s/';
const SAMPLE_REFERENCE = 'FP-2026-XXXXXX';

/** The part of the link after REVIEW_PATH_PREFIX; the claims are the reference number. */
export const REVIEW_LINK_FORMAT: TextTokenFormat<string, void> = {
  name: 'ReviewLinks',
  purpose: 'permitline sms review link v1',
  macBytes: MAC_BYTES,
  encoding: 'text',
  signedText: (reference) => reference,
  write: (reference, mac) => `${reference}${MAC_SEPARATOR}${mac}`,
  read: (token) => {
    const at = token.length - MAC_CHARS - MAC_SEPARATOR.length;
    if (at <= 0 || token[at] !== MAC_SEPARATOR) return undefined;
    const reference = token.slice(0, at);
    if (!isReferenceNumber(reference)) return undefined;
    return { claims: reference, mac: token.slice(at + MAC_SEPARATOR.length) };
  },
};

export class ReviewLinks {
  readonly #base: string;
  readonly #tokens: SignedTokens<string>;

  /** `dataKeys`: the first signs; all of them verify, so links sent before a key rotation keep working. */
  constructor(publicBaseUrl: URL, dataKeys: readonly DataKey[]) {
    this.#base = publicBaseUrl.href.replace(/\/$/, '');
    this.#tokens = new SignedTokens(dataKeys, REVIEW_LINK_FORMAT);
    const longest = this.linkFor(SAMPLE_REFERENCE).length;
    if (longest > MAX_REVIEW_LINK_LENGTH) {
      throw new Error(
        `PUBLIC_BASE_URL is too long for the link in the SMS summary (${longest} characters, at most ${MAX_REVIEW_LINK_LENGTH}): use a shorter origin such as https://permits.example.org`,
      );
    }
  }

  linkFor(reference: string): string {
    return `${this.#base}${REVIEW_PATH_PREFIX}${this.#tokens.issue(reference)}`;
  }

  /** The reference a link token (the part after /s/) stands for, or undefined if it is not one of ours. */
  referenceOf(token: string): string | undefined {
    const check = this.#tokens.verify(token);
    return check.ok ? check.claims : undefined;
  }
}
