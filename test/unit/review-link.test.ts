import { describe, expect, it } from 'vitest';
import { ReviewLinks } from '../../src/sms/review-link.ts';
import { MAX_REVIEW_LINK_LENGTH } from '../../src/sms/summary-text.ts';
import { testDataKeys, TEST_KEY_A, TEST_KEY_B } from '../support/keys.ts';

const BASE = new URL('https://permits.example.org');
const REFERENCE = 'FP-2026-7KQ3XM';

describe('the review link in the SMS summary', () => {
  it('when a link is made, then it fits the SMS budget and leads back to its reference', () => {
    const links = new ReviewLinks(BASE, testDataKeys(TEST_KEY_A));
    const link = links.linkFor(REFERENCE);
    expect(link.length).toBeLessThanOrEqual(MAX_REVIEW_LINK_LENGTH);
    expect(link).toMatch(/^https:\/\/permits\.example\.org\/s\/FP-2026-7KQ3XM-[\w-]{16}$/);
    expect(links.referenceOf(link.slice(link.indexOf('/s/') + 3))).toBe(REFERENCE);
  });

  it('when a link is altered (another reference, a changed signature, truncated), then it is not ours', () => {
    const links = new ReviewLinks(BASE, testDataKeys(TEST_KEY_A));
    const token = links.linkFor(REFERENCE).split('/s/')[1] ?? '';
    const mac = token.slice(-16);
    expect(links.referenceOf(`FP-2026-7KQ3XN-${mac}`)).toBeUndefined();
    expect(links.referenceOf(`${REFERENCE}-${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(links.referenceOf(token.slice(0, -1))).toBeUndefined();
    expect(links.referenceOf('')).toBeUndefined();
    expect(links.referenceOf(`not-a-reference-${mac}`)).toBeUndefined();
  });

  it('when the data key is rotated, then links sent under the old key still work while it is listed', () => {
    const old = new ReviewLinks(BASE, testDataKeys(TEST_KEY_A)).linkFor(REFERENCE).split('/s/')[1] ?? '';
    expect(new ReviewLinks(BASE, testDataKeys(`${TEST_KEY_B},${TEST_KEY_A}`)).referenceOf(old)).toBe(REFERENCE);
    expect(new ReviewLinks(BASE, testDataKeys(TEST_KEY_B)).referenceOf(old)).toBeUndefined();
  });

  it('when PUBLIC_BASE_URL is too long for the SMS budget, then it refuses at start, saying what to do', () => {
    expect(() => new ReviewLinks(new URL(`https://${'a'.repeat(60)}.example.org`), testDataKeys(TEST_KEY_A))).toThrow(
      /PUBLIC_BASE_URL is too long.*shorter origin/,
    );
  });
});
