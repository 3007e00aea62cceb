import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GSM7_BASIC_ALPHABET,
  GSM7_EXTENSION_ALPHABET,
  gsm7Septets,
  isBasicGsm7,
  isGsm7,
  SEGMENT_SEPTETS,
  smsSegments,
  toGsm7,
} from '../../src/protocols/gsm7.ts';

// Every GSM-7 character is a single code point, so Array.from splits the tables correctly.
const gsm7Char = fc.constantFrom(...Array.from(GSM7_BASIC_ALPHABET + GSM7_EXTENSION_ALPHABET));
const gsm7Text = fc.string({ unit: gsm7Char, maxLength: 500 });
const basicGsm7Text = fc.string({ unit: fc.constantFrom(...Array.from(GSM7_BASIC_ALPHABET)), maxLength: 500 });

function countExtensionChars(text: string): number {
  return Array.from(text).filter((char) => GSM7_EXTENSION_ALPHABET.includes(char)).length;
}

describe('GSM-7 alphabet', () => {
  it('when the tables are counted, then there are 127 basic characters (128 less the escape) and 9 extension characters', () => {
    expect(new Set(GSM7_BASIC_ALPHABET).size).toBe(127);
    expect(GSM7_BASIC_ALPHABET).not.toContain('\u001B');
    expect(Array.from(GSM7_EXTENSION_ALPHABET).sort()).toEqual(Array.from('^{}\\[~]|€').sort());
  });

  it('when text uses letters GSM-7 has, then it is GSM-7', () => {
    expect(isGsm7('Taco Loco, Mar 3-4 @ 5$ £ ¥ é è Ç Ñ ß Δ ¿¡ §')).toBe(true);
    expect(isGsm7('[€] {x} ~^|\\')).toBe(true);
    expect(isGsm7('')).toBe(true);
  });

  it('when text holds characters GSM-7 lacks, then it is not GSM-7', () => {
    for (const text of ['“quoted”', 'it’s', 'a–b', '🌮', 'á', 'ç', '`', '北京', '\t', '\u001B']) {
      expect(isGsm7(text), text).toBe(false);
    }
  });

  it('when text uses an extension character, then it is GSM-7 but not basic GSM-7', () => {
    expect(isBasicGsm7('https://x.example/r/AbC-12_3?t=9')).toBe(true);
    expect(isBasicGsm7('price 5€')).toBe(false);
    expect(isGsm7('price 5€')).toBe(true);
  });
});

describe('gsm7Septets', () => {
  it('when text is basic GSM-7, then each character costs one septet', () => {
    expect(gsm7Septets('Taco Loco')).toBe(9);
  });

  it('when text holds extension characters, then each of those costs two septets', () => {
    expect(gsm7Septets('€')).toBe(2);
    expect(gsm7Septets('{review_link}')).toBe(15);
  });

  it('when text is not GSM-7, then it throws a RangeError naming the code point', () => {
    expect(() => gsm7Septets('taco 🌮')).toThrow(/U\+1F32E/);
    expect(() => gsm7Septets('“')).toThrow(RangeError);
  });

  it('when any GSM-7 text is measured, then septets are its length plus one per extension character', () => {
    fc.assert(
      fc.property(gsm7Text, (text) => {
        expect(gsm7Septets(text)).toBe(Array.from(text).length + countExtensionChars(text));
      }),
    );
  });
});

describe('toGsm7', () => {
  it('when text has curly quotes, then they become straight quotes', () => {
    expect(toGsm7('“Joe’s” ‘best’ „tacos‟ «bio»')).toBe('"Joe\'s" \'best\' "tacos" "bio"');
  });

  it('when text has dashes and an ellipsis, then they become hyphens and three dots', () => {
    expect(toGsm7('Mar 3–4 — open… late − maybe')).toBe('Mar 3-4 - open... late - maybe');
  });

  it('when text has unusual spaces, tabs or line breaks, then each becomes a plain space', () => {
    expect(toGsm7('a\u00A0b\u2009c\u3000d\te\nf\r\ng')).toBe('a b c d e f  g');
  });

  it('when accented letters are missing from GSM-7, then they lose the accent but GSM-7 letters keep theirs', () => {
    expect(toGsm7('Crème brûlée à São Paulo, Zoë, Ångström, Müller')).toBe(
      'Crème brulée à Sao Paulo, Zoe, Ångström, Müller',
    );
    expect(toGsm7('Łódź, Đakovo, Œuvre')).toBe('Lodz, Dakovo, OEuvre');
  });

  it('when an accent is typed as a separate combining mark, then the precomposed GSM-7 letter is used', () => {
    expect(toGsm7('Cafe\u0301')).toBe('Café');
    expect(toGsm7('Sa\u0303o')).toBe('Sao');
  });

  it('when text has emoji, CJK or control characters, then they are dropped', () => {
    expect(toGsm7('Taco 🌮 Loco')).toBe('Taco  Loco');
    expect(toGsm7('👨‍👩‍👧 family\uFEFF')).toBe(' family');
    expect(toGsm7('北京 Noodles')).toBe(' Noodles');
    expect(toGsm7('bell\u0007\u001B')).toBe('bell');
  });

  it('when text is already GSM-7 without line breaks, then it is left as it is', () => {
    const withoutLineBreaks = fc.string({
      unit: gsm7Char.filter((char) => char !== '\n' && char !== '\r'),
      maxLength: 300,
    });
    fc.assert(
      fc.property(withoutLineBreaks, (text) => {
        expect(toGsm7(text)).toBe(text);
      }),
    );
  });

  it('when any unicode text is converted, then the result is GSM-7', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        expect(isGsm7(toGsm7(text))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('when converted text is converted again, then nothing changes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const once = toGsm7(text);
        expect(toGsm7(once)).toBe(once);
      }),
    );
  });
});

describe('smsSegments', () => {
  it('when the segment sizes are read, then they are 160 for one SMS and 153 per part', () => {
    expect(SEGMENT_SEPTETS).toEqual({ single: 160, multipart: 153 });
  });

  it('when text fits 160 septets, then it takes one segment', () => {
    expect(smsSegments('')).toBe(1);
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('€'.repeat(80))).toBe(1);
  });

  it('when text exceeds 160 septets, then it is split in parts of 153', () => {
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('€'.repeat(81))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
  });

  it('when an extension character would straddle a part boundary, then it moves whole to the next part', () => {
    expect(smsSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toBe(2);
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toBe(3);
  });

  it('when text is not GSM-7, then it throws', () => {
    expect(() => smsSegments('hi 👋')).toThrow(RangeError);
  });

  it('when basic GSM-7 text is long, then it takes ceil(septets / 153) parts', () => {
    fc.assert(
      fc.property(basicGsm7Text, (text) => {
        const expected = text.length <= 160 ? 1 : Math.ceil(text.length / 153);
        expect(smsSegments(text)).toBe(expected);
      }),
    );
  });

  it('when GSM-7 text has extension characters, then each part holds 152 or 153 septets', () => {
    fc.assert(
      fc.property(gsm7Text, (text) => {
        const septets = gsm7Septets(text);
        const segments = smsSegments(text);
        if (septets <= 160) {
          expect(segments).toBe(1);
        } else {
          expect(segments).toBeGreaterThanOrEqual(Math.ceil(septets / 153));
          expect(segments).toBeLessThanOrEqual(Math.ceil(septets / 152));
        }
      }),
    );
  });
});
