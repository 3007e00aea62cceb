import { describe, expect, it } from 'vitest';
import { muLawToLinear, MU_LAW_TO_LINEAR } from '../../src/protocols/mu-law.ts';

describe('mu-law decoding', () => {
  it('when G.711 mu-law bytes are decoded, then they give the standard linear values', () => {
    // Reference values from CPython's audioop.ulaw2lin.
    const known: [number, number][] = [
      [0x00, -32124],
      [0x01, -31100],
      [0x0f, -16764],
      [0x10, -15996],
      [0x70, -120],
      [0x7e, -8],
      [0x7f, 0],
      [0x80, 32124],
      [0x8f, 16764],
      [0xa5, 6652],
      [0xcd, 1052],
      [0xf0, 120],
      [0xfe, 8],
      [0xff, 0],
    ];
    for (const [byte, linear] of known) {
      expect(muLawToLinear(byte)).toBe(linear);
      expect(MU_LAW_TO_LINEAR[byte]).toBe(linear);
    }
    // Mu-law's negative zero is plain 0.
    expect(Object.is(muLawToLinear(0x7f), -0)).toBe(false);
  });
});
