import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSubkey } from '../../src/keys/subkeys.ts';
import {
  DEFAULT_RESUME_TTL_SECONDS,
  RESUME_PATH_PREFIX,
  RESUME_TOKEN_LENGTH,
  ResumeLinks,
} from '../../src/web/resume-link.ts';
import { testDataKeys, TEST_KEY_A, TEST_KEY_B } from '../support/keys.ts';

/** Exactly 30 characters, the origin the SMS budget is planned for. */
const BASE = new URL('https://permits.county.example');
const APPLICATION_ID = '0b6f3c1e-5a7d-4c2e-9f10-2d3e4f5a6b7c';
const ISSUED_AT = Date.parse('2026-11-25T18:00:00Z');
const SECOND = 1000;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function linksAt(now: number, keys = TEST_KEY_A, ttlSeconds?: number): ResumeLinks {
  return new ResumeLinks(BASE, testDataKeys(keys), {
    now: () => now,
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  });
}

function tokenOf(link: string): string {
  return link.slice(link.indexOf(RESUME_PATH_PREFIX) + RESUME_PATH_PREFIX.length);
}

describe('the resume link', () => {
  it('when a link is made, then it is short enough for an SMS and opens the draft it was made for', () => {
    const links = linksAt(ISSUED_AT);
    const link = links.linkFor(APPLICATION_ID);

    expect(BASE.origin).toHaveLength(30);
    expect(link).toMatch(/^https:\/\/permits\.county\.example\/apply\/resume\/[\w-]{43}$/);
    expect(link).toHaveLength(30 + RESUME_PATH_PREFIX.length + RESUME_TOKEN_LENGTH);
    expect(link.length).toBeLessThanOrEqual(100);
    expect(links.verify(tokenOf(link))).toEqual({
      ok: true,
      applicationId: APPLICATION_ID,
      expiresAt: new Date(ISSUED_AT + DEFAULT_RESUME_TTL_SECONDS * SECOND),
    });
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      expect(links.verify(links.tokenFor(id))).toMatchObject({ ok: true, applicationId: id });
    }
  });

  it('when a token is decoded, then it holds the application id, the expiry and the signature, and nothing else', () => {
    const bytes = Buffer.from(linksAt(ISSUED_AT).tokenFor(APPLICATION_ID), 'base64url');

    expect(bytes).toHaveLength(32);
    expect(bytes.subarray(0, 16).toString('hex')).toBe(APPLICATION_ID.replaceAll('-', ''));
    expect(bytes.readUInt32BE(16)).toBe(ISSUED_AT / SECOND + DEFAULT_RESUME_TTL_SECONDS);
  });

  it('when any one character of a token is changed, then it opens nothing', () => {
    const links = linksAt(ISSUED_AT);
    const token = links.tokenFor(APPLICATION_ID);
    for (let at = 0; at < token.length; at++) {
      for (const replacement of [
        BASE64URL[(BASE64URL.indexOf(token[at] ?? '') + 1) % 64],
        BASE64URL[(BASE64URL.indexOf(token[at] ?? '') + 17) % 64],
      ]) {
        const altered = `${token.slice(0, at)}${replacement ?? ''}${token.slice(at + 1)}`;
        const check = links.verify(altered);
        expect(check.ok, `character ${at} changed to ${replacement ?? ''}`).toBe(false);
        // The last character's spare bits make some changes unreadable rather than wrongly signed.
        expect(['forged', 'malformed']).toContain(check.ok ? 'ok' : check.reason);
      }
    }
  });

  it("when the id is swapped for another draft's, then the signature gives it away", () => {
    const links = linksAt(ISSUED_AT);
    const bytes = Buffer.from(links.tokenFor(APPLICATION_ID), 'base64url');
    Buffer.from(randomUUID().replaceAll('-', ''), 'hex').copy(bytes);

    expect(links.verify(bytes.toString('base64url'))).toEqual({ ok: false, reason: 'forged' });
  });

  it('when a token is truncated, padded, empty or not base64url, then it is malformed', () => {
    const links = linksAt(ISSUED_AT);
    const token = links.tokenFor(APPLICATION_ID);
    for (const bad of [
      token.slice(0, -1),
      `${token}A`,
      `${token}=`,
      '',
      'FP-2026-7KQ3XM',
      `${token.slice(0, -1)}+`,
      `${token.slice(0, -1)}/`,
      ' '.repeat(43),
    ]) {
      expect(links.verify(bad), JSON.stringify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('when a link is older than its lifetime, then it has expired, and a forged one is still only forged', () => {
    const token = linksAt(ISSUED_AT, TEST_KEY_A, 3600).tokenFor(APPLICATION_ID);
    const expiresAt = ISSUED_AT + 3600 * SECOND;

    expect(linksAt(expiresAt - 1).verify(token)).toMatchObject({ ok: true, applicationId: APPLICATION_ID });
    expect(linksAt(expiresAt).verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(linksAt(expiresAt + 30 * 24 * 3600 * SECOND).verify(token)).toEqual({ ok: false, reason: 'expired' });
    const otherKeys = linksAt(ISSUED_AT, TEST_KEY_B, 3600).tokenFor(APPLICATION_ID);
    expect(linksAt(expiresAt).verify(otherKeys)).toEqual({ ok: false, reason: 'forged' });
  });

  it('when the data key is rotated, then old links work while the old key is listed, and new links are signed with the new one', () => {
    const old = linksAt(ISSUED_AT, TEST_KEY_A).tokenFor(APPLICATION_ID);
    const rotated = linksAt(ISSUED_AT, `${TEST_KEY_B},${TEST_KEY_A}`);
    const fresh = rotated.tokenFor(APPLICATION_ID);

    expect(rotated.verify(old)).toMatchObject({ ok: true, applicationId: APPLICATION_ID });
    expect(linksAt(ISSUED_AT, TEST_KEY_B).verify(old)).toEqual({ ok: false, reason: 'forged' });
    expect(linksAt(ISSUED_AT, TEST_KEY_B).verify(fresh)).toMatchObject({ ok: true, applicationId: APPLICATION_ID });
    expect(linksAt(ISSUED_AT, TEST_KEY_A).verify(fresh)).toEqual({ ok: false, reason: 'forged' });
  });

  it('when a token is signed with the data key itself or a key for another purpose, then it is forged; only the resume sub-key signs', () => {
    const links = linksAt(ISSUED_AT);
    const payload = Buffer.from(links.tokenFor(APPLICATION_ID), 'base64url').subarray(0, 20);
    const [dataKey] = testDataKeys(TEST_KEY_A);
    const signedWith = (key: Buffer) =>
      Buffer.concat([payload, createHmac('sha256', key).update(payload).digest().subarray(0, 12)]).toString(
        'base64url',
      );

    expect(links.verify(signedWith(dataKey!.key))).toEqual({ ok: false, reason: 'forged' });
    expect(links.verify(signedWith(deriveSubkey(dataKey!.key, 'permitline sms review link v1')))).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(links.verify(signedWith(deriveSubkey(dataKey!.key, 'permitline media stream token v1')))).toEqual({
      ok: false,
      reason: 'forged',
    });
    // The control: the same construction with the resume link's own purpose is accepted (links already sent depend on this string).
    expect(links.verify(signedWith(deriveSubkey(dataKey!.key, 'permitline web resume link v1')))).toMatchObject({
      ok: true,
      applicationId: APPLICATION_ID,
    });
  });

  it('when it is misused (no key, a lifetime of zero, an id that is not a UUID), then it refuses at once', () => {
    expect(() => new ResumeLinks(BASE, [])).toThrow(/no data key/);
    expect(() => new ResumeLinks(BASE, testDataKeys(), { ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => new ResumeLinks(BASE, testDataKeys(), { ttlSeconds: 1.5 })).toThrow(/ttlSeconds/);
    expect(() => linksAt(ISSUED_AT).linkFor('FP-2026-7KQ3XM')).toThrow(/UUID/);
    expect(() => linksAt(ISSUED_AT).linkFor(APPLICATION_ID.toUpperCase())).toThrow(/UUID/);
  });
});
