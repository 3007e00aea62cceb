import { describe, expect, it } from 'vitest';
import { STREAM_TOKEN_FORMAT, StreamTokens } from '../../src/call/stream-tokens.ts';
import { SignedTokens, type BinaryTokenFormat, type TextTokenFormat } from '../../src/keys/signed-tokens.ts';
import { testDataKeys, TEST_KEY_A, TEST_KEY_B } from '../support/keys.ts';

const CALL = `CA${'5'.repeat(32)}`;
const ISSUED_AT = Date.parse('2026-11-25T18:00:00Z');
const SECOND = 1000;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface NoteClaims {
  readonly note: string;
  readonly expiresAtSeconds: number;
}

/** A format of our own, so the helper is tested apart from any one use. */
const NOTE_FORMAT: TextTokenFormat<NoteClaims, void> = {
  name: 'NoteTokens',
  purpose: 'permitline test note token v1',
  macBytes: 9,
  encoding: 'text',
  signedText: ({ note, expiresAtSeconds }) => `${note}|${expiresAtSeconds}`,
  write: ({ note, expiresAtSeconds }, mac) => `${note}~${expiresAtSeconds}~${mac}`,
  read: (token) => {
    const [note, expires, mac, ...rest] = token.split('~');
    if (note === undefined || expires === undefined || mac === undefined || rest.length > 0) return undefined;
    return { claims: { note, expiresAtSeconds: Number(expires) }, mac };
  },
  expiresAtSeconds: (claims) => claims.expiresAtSeconds,
};

function notesAt(now: number, keys = TEST_KEY_A): SignedTokens<NoteClaims> {
  return new SignedTokens(testDataKeys(keys), NOTE_FORMAT, () => now);
}

function noteToken(keys = TEST_KEY_A): string {
  const notes = notesAt(ISSUED_AT, keys);
  return notes.issue({ note: 'hello', expiresAtSeconds: notes.expiryAfter(60) });
}

describe('signed tokens', () => {
  it('when a token is issued, then it carries the MAC truncated to the format length, and verifies with the key id', () => {
    const token = noteToken();

    expect(token).toMatch(/^hello~\d+~[\w-]{12}$/);
    expect(notesAt(ISSUED_AT).verify(token)).toEqual({
      ok: true,
      claims: { note: 'hello', expiresAtSeconds: ISSUED_AT / SECOND + 60 },
      keyId: 'ka',
    });
  });

  it('when the keys have rotated, then the new key signs and a token from either key verifies, naming it', () => {
    const rotated = notesAt(ISSUED_AT, `${TEST_KEY_B},${TEST_KEY_A}`);
    const fresh = rotated.issue({ note: 'hello', expiresAtSeconds: rotated.expiryAfter(60) });

    expect(rotated.verify(noteToken(TEST_KEY_A))).toMatchObject({ ok: true, keyId: 'ka' });
    expect(rotated.verify(fresh)).toMatchObject({ ok: true, keyId: 'kb' });
    expect(notesAt(ISSUED_AT, TEST_KEY_A).verify(fresh)).toEqual({ ok: false, reason: 'forged' });
  });

  it('when a token is past its expiry, then a genuine one has expired and one we did not sign is forged', () => {
    const expiry = ISSUED_AT + 60 * SECOND;

    expect(notesAt(expiry - 1).verify(noteToken())).toMatchObject({ ok: true });
    expect(notesAt(expiry).verify(noteToken())).toEqual({ ok: false, reason: 'expired' });
    expect(notesAt(expiry).verify(noteToken(TEST_KEY_B))).toEqual({ ok: false, reason: 'forged' });
    expect(notesAt(expiry).verify(noteToken().replace('hello', 'howdy'))).toEqual({ ok: false, reason: 'forged' });
  });

  it('when the MAC is the wrong length, padded or not base64url, then the token is malformed', () => {
    const token = noteToken();
    const notes = notesAt(ISSUED_AT);

    for (const bad of [token.slice(0, -1), `${token}A`, `${token}=`, `${token.slice(0, -1)}+`, 'hello~1~', '']) {
      expect(notes.verify(bad), JSON.stringify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it("when a MAC's last character is spelled another way that decodes to the same bytes, then the token is malformed", () => {
    // 32 bytes take 43 characters with 2 bits to spare: flipping the lowest bit of the last one keeps the bytes.
    const tokens = new SignedTokens(testDataKeys(), STREAM_TOKEN_FORMAT, () => ISSUED_AT);
    const token = tokens.issue({ callSid: CALL, expiresAtSeconds: tokens.expiryAfter(60) });
    const last = BASE64URL.indexOf(token.at(-1) ?? '');
    const respelled = `${token.slice(0, -1)}${BASE64URL[last ^ 1] ?? ''}`;

    expect(Buffer.from(respelled.split('.')[1]!, 'base64url')).toEqual(Buffer.from(token.split('.')[1]!, 'base64url'));
    expect(tokens.verify(respelled, CALL)).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify(token, CALL)).toMatchObject({ ok: true });
  });

  it("when the data key rotates during a call's first minute, then the stream token issued before it is still accepted", () => {
    const before = new StreamTokens(testDataKeys(TEST_KEY_A), 60, () => ISSUED_AT).issue(CALL);
    const after = new StreamTokens(testDataKeys(`${TEST_KEY_B},${TEST_KEY_A}`), 60, () => ISSUED_AT + 30 * SECOND);

    expect(after.check(before, CALL)).toEqual({ ok: true });
  });

  it('when a format is misconfigured or there is no key, then construction or issuing refuses at once', () => {
    expect(() => new SignedTokens(testDataKeys(), { ...NOTE_FORMAT, macBytes: 0 })).toThrow(/1 to 32 bytes/);
    expect(() => new SignedTokens(testDataKeys(), { ...NOTE_FORMAT, macBytes: 33 })).toThrow(/1 to 32 bytes/);
    expect(() => new SignedTokens([], NOTE_FORMAT)).toThrow(/NoteTokens: no data key/);
    const tooShort: BinaryTokenFormat<string> = {
      name: 'ShortTokens',
      purpose: 'permitline test short token v1',
      macBytes: 12,
      encoding: 'base64url',
      payloadBytes: 8,
      write: (text) => Buffer.from(text, 'utf8'),
      read: (payload) => payload.toString('utf8'),
    };
    const short = new SignedTokens(testDataKeys(), tooShort);
    expect(() => short.issue('seven!!')).toThrow(/payload is 8 bytes, not 7/);
    expect(short.verify(short.issue('eight!!!'))).toEqual({ ok: true, claims: 'eight!!!', keyId: 'ka' });
  });
});
