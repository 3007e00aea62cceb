import { describe, expect, it } from 'vitest';
import { readSpokenPhone } from '../../src/permits/spoken-phone.ts';

/** The spoken phone-number reader on its own: each way a caller says or types a number (fictional 555-01xx). */

const PHONE = '+14255550187';
const phone = (extension?: string) =>
  extension === undefined ? { kind: 'phone', e164: PHONE } : { kind: 'phone', e164: PHONE, extension };
const unreadable = (digitsHeard: string) => ({ kind: 'unreadable', digitsHeard });

describe('a North American number as callers say or write it', () => {
  it.each([
    'four two five, five five five, oh one eight seven',
    'four two five double five five oh one eight seven',
    'four two five triple five oh one eight seven',
    'one four two five five five five zero one eight seven',
    'four-two-five 555 0187',
    'area code 425, 555-0187',
    'my number is 425 555 0187',
    "it's 425 555 0187",
    'the number is 425 555 0187 and',
    'plus one 425 555 0187',
    '+1 425 555 0187',
    '1 425 555 0187',
    '425.555.0187',
    '(425) 555-0187',
    '425;555;0187',
    '425/555/0187',
    '425:555:0187',
    `425 555 0187${' '.repeat(108)}`,
  ])('when a caller says "%s", then the number is +1 425 555 0187', (said) => {
    expect(readSpokenPhone(said)).toStrictEqual(phone());
  });

  it.each([
    'cuatro dos cinco cinco cinco cinco cero uno ocho siete',
    'mi numero es cuatro dos cinco doble cinco cinco cero uno ocho siete',
    'el número es 425 555 0187',
    'mas uno 425 555 0187',
    'mi código de área es 425, 555 0187',
    // Digits in the other language are read too: callers mix them.
    'cuatro dos cinco five five five zero one eight seven',
  ])('when a Spanish caller says "%s", then the number is +1 425 555 0187', (said) => {
    expect(readSpokenPhone(said, 'es')).toStrictEqual(phone());
  });

  it('when an English caller says some digits in Spanish, then they are read too', () => {
    expect(readSpokenPhone('four two five cinco cinco cinco oh one eight seven')).toStrictEqual(phone());
  });
});

describe('an extension at the end', () => {
  it.each([
    ['425 555 0187 extension 12', '12'],
    ['425 555 0187 ext. 12', '12'],
    ['425 555 0187 ext 12', '12'],
    ['425 555 0187 EXT 12', '12'],
    ['425 555 0187 ext.12', '12'],
    ['425 555 0187 x12', '12'],
    ['425-555-0187x12', '12'],
    ['425 555 0187, extension one two', '12'],
    ['425 555 0187 extension 1-2', '12'],
    ['+1 425 555 0187 ext 7', '7'],
  ])('when a caller says "%s", then the extension is %s', (said, extension) => {
    expect(readSpokenPhone(said)).toStrictEqual(phone(extension));
  });

  it('when a Spanish caller says "extensión" and the digits, then the extension is read', () => {
    expect(readSpokenPhone('425 555 0187 extensión uno dos', 'es')).toStrictEqual(phone('12'));
  });

  it.each([
    // Found while testing: an extension that could not be read was dropped and the number taken without it.
    '425 555 0187 extension twelve',
    '425 555 0187 extension banana',
    '425 555 0187 extension',
  ])('when "%s" is said, then the extension is not dropped but the answer asked again', (said) => {
    expect(readSpokenPhone(said)).toStrictEqual(unreadable('4255550187'));
  });

  it('when a Spanish caller says an extension as one number word, then the answer is asked again', () => {
    expect(readSpokenPhone('425 555 0187 extensión doce', 'es')).toStrictEqual(unreadable('4255550187'));
  });
});

describe('numbers that are not taken', () => {
  it('when a British number is given with its country code, then the caller is told it is not North American', () => {
    expect(readSpokenPhone('+44 20 7946 0018')).toStrictEqual({ kind: 'not-north-american', country: 'GB' });
    expect(readSpokenPhone(' +44 20 7946 0018 ')).toStrictEqual({ kind: 'not-north-american', country: 'GB' });
    expect(readSpokenPhone('+44 20 7946 0018 ext 5')).toStrictEqual({ kind: 'not-north-american', country: 'GB' });
  });

  it('when an international number of no country is given, then it is not North American, with no country named', () => {
    expect(readSpokenPhone('+800 1234 5678')).toStrictEqual({ kind: 'not-north-american' });
  });

  it.each([
    ['555-0187', '5550187'],
    ['425 555 01870', '42555501870'],
    ['2 425 555 0187', '24255550187'],
    ['123 456 7890', '1234567890'],
    ['+1 999 555 0187', '19995550187'],
    ['+12', '12'],
    ['nine one one', '911'],
    ['double 4 25 555 0187', '44255550187'],
    ['triple 5', '555'],
    ['four two five double', '425'],
    ['call me maybe', ''],
    ['425 555 0187 twelve', ''],
    ['', ''],
    // A word that mixes digits with other characters is not read at all.
    ['425 555 0187#', ''],
    ['#425 555 0187', ''],
    ['call me extension twelve', ''],
  ])('when "%s" is said, then no number is read and the digits heard are %j', (said, digits) => {
    expect(readSpokenPhone(said)).toStrictEqual(unreadable(digits));
  });

  it('when the answer is longer than any phone number is said, then nothing of it is read', () => {
    expect(readSpokenPhone(`425 555 0187${' '.repeat(109)}`)).toStrictEqual(unreadable(''));
  });
});
