import { describe, expect, it } from 'vitest';
import { quotedWords } from '../../src/permits/plain-text.ts';
import { spokenWebAddress } from '../../src/permits/spoken-web-address.ts';

describe('spokenWebAddress', () => {
  it('when the address is https, then the scheme is left out and dots and slashes are words', () => {
    expect(spokenWebAddress(new URL('https://permits.example.gov/apply'))).toBe(
      'permits dot example dot gov slash apply',
    );
  });

  it('when the address has a port and a trailing slash, then the port is said and the slash at the end is not', () => {
    expect(spokenWebAddress(new URL('http://127.0.0.1:3000/apply/'))).toBe(
      '127 dot 0 dot 0 dot 1 colon 3000 slash apply',
    );
  });

  it('when the address is a site root, then no slash is said', () => {
    expect(spokenWebAddress(new URL('https://permit-line.example.gov/'))).toBe('permit dash line dot example dot gov');
  });

  it('when the host is written with its final dot, then the dot is said and no space trails', () => {
    expect(spokenWebAddress(new URL('https://permits.example.gov./'))).toBe('permits dot example dot gov dot');
  });
});

describe('quotedWords', () => {
  it('when the text is short, then it is quoted whole', () => {
    expect(quotedWords('  next   Friday ')).toBe('"next Friday"');
  });

  it('when the text is long, then whole words are quoted up to the bound, never a word cut in two', () => {
    const quoted = quotedWords('the first sunny weekend after the county fair has finished for the year') ?? '';
    expect(quoted).toBe('"the first sunny weekend after the county fair…"');
    expect(quoted.length).toBeLessThanOrEqual(51);
  });

  it('when the text is one word longer than the bound, then nothing is quoted', () => {
    expect(quotedWords('x'.repeat(80))).toBeUndefined();
  });

  it('when the text holds control characters, then they are not quoted back', () => {
    expect(quotedWords('June\u0007 5th')).toBe('"June 5th"');
  });
});
