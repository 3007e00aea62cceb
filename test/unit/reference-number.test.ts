import { describe, expect, it } from 'vitest';
import {
  isReferenceNumber,
  newReferenceNumber,
  REFERENCE_ALPHABET,
  REFERENCE_RANDOM_LENGTH,
  spokenReferenceNumber,
} from '../../src/permits/reference-number.ts';

describe('reference numbers', () => {
  const DRAWS = 10_000;
  const LOOK_ALIKES = /[0O1IL]/;

  it('when a reference number is drawn, then it reads FP-year-six symbols and isReferenceNumber accepts it', () => {
    const reference = newReferenceNumber(2026);
    expect(reference).toMatch(/^FP-2026-[2-9A-Z]{6}$/);
    expect(isReferenceNumber(reference)).toBe(true);
  });

  it.each([
    ['FP-2026-7KQ3X', 'five symbols'],
    ['FP-2026-7KQ3XMM', 'seven symbols'],
    ['FP-2026-0KQ3XM', 'a zero'],
    ['FP-2026-IKQ3XM', 'an I'],
    ['fp-2026-7KQ3XM', 'a lower-case prefix'],
    ['FP-26-7KQ3XM', 'a two-digit year'],
  ])('when %s has %s, then isReferenceNumber refuses it', (reference) => {
    expect(isReferenceNumber(reference)).toBe(false);
  });

  it(`when ${DRAWS} reference numbers are drawn, then none holds 0, O, 1, I or L, and at most one repeats`, () => {
    const codes = Array.from({ length: DRAWS }, () => newReferenceNumber(2026));
    for (const code of codes) expect(isReferenceNumber(code), code).toBe(true);
    expect(codes.map((code) => code.slice('FP-2026-'.length)).filter((symbols) => LOOK_ALIKES.test(symbols))).toEqual(
      [],
    );
    // 31^6 is about 887 million codes; 10,000 draws repeat one with a chance near 5%, two with well under 1%.
    expect(DRAWS - new Set(codes).size).toBeLessThanOrEqual(1);
  });

  it('when the random source always gives 0, then the code is the first symbol six times', () => {
    expect(newReferenceNumber(2026, () => 0)).toBe('FP-2026-222222');
  });

  it('when the random source always gives its largest value, then the code is the last symbol six times', () => {
    expect(newReferenceNumber(2027, (max) => max - 1)).toBe(`FP-2027-${REFERENCE_ALPHABET.at(-1)!.repeat(6)}`);
  });

  it('when a reference is read aloud, then it is spelled out in groups a caller can write down', () => {
    expect(spokenReferenceNumber('FP-2026-7KQ3XM')).toBe('F P, 2 0 2 6, 7 K Q, 3 X M');
  });

  it('when a code is drawn, then each of its six symbols is drawn from the whole 31-symbol alphabet, in order', () => {
    const asked: number[] = [];
    const draws = [30, 0, 7, 8, 15, 21];
    const reference = newReferenceNumber(2031, (max) => {
      asked.push(max);
      return draws[asked.length - 1] ?? 0;
    });
    expect(asked).toEqual([31, 31, 31, 31, 31, 31]);
    expect(REFERENCE_ALPHABET).toBe('23456789ABCDEFGHJKMNPQRSTUVWXYZ');
    expect(REFERENCE_RANDOM_LENGTH).toBe(6);
    expect(reference).toBe('FP-2031-Z29AHQ');
  });

  it.each([
    ['FP-2026-7KQ3XM', true],
    ['FP-2031-Z29AHQ', true],
    [' FP-2026-7KQ3XM', false],
    ['FP-2026-7KQ3XM ', false],
    ['xFP-2026-7KQ3XM', false],
    ['FP-2026-7KQ3XMx', false],
    ['FP-20261-7KQ3XM', false],
    ['FP-2026-7kq3xm', false],
    ['FP-2026-7KQ-3XM', false],
    ['FP-2026-7KQ3XL', false],
    ['FP-2026-7KQ3X1', false],
    ['FP 2026 7KQ3XM', false],
    ['', false],
  ])('when "%s" is checked, then isReferenceNumber says %s', (reference, valid) => {
    expect(isReferenceNumber(reference)).toBe(valid);
  });

  it('when another reference is read aloud, then the year and the two groups of three are spelled out', () => {
    expect(spokenReferenceNumber('FP-2031-Z29AHQ')).toBe('F P, 2 0 3 1, Z 2 9, A H Q');
  });
});
