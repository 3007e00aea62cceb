import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STREAM_TOKEN_FORMAT, StreamTokens } from '../../src/call/stream-tokens.ts';
import type { DataKey } from '../../src/keys/data-keys.ts';
import { DecryptionError } from '../../src/keys/decryption-error.ts';
import { SignedTokens } from '../../src/keys/signed-tokens.ts';
import { CallRecordings } from '../../src/recording/call-recordings.ts';
import { REVIEW_LINK_FORMAT, REVIEW_PATH_PREFIX, ReviewLinks } from '../../src/sms/review-link.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { csrfSecretsFrom } from '../../src/web/csrf.ts';
import { RESUME_PATH_PREFIX, RESUME_TOKEN_FORMAT, ResumeLinks } from '../../src/web/resume-link.ts';
import { testDataKeys } from '../support/keys.ts';
import { MemoryRecordingStore } from '../support/recording-store.ts';

// Made by the code before key handling moved to src/keys (see test/fixtures/keys/README.md).
// The keys in it are fictional test keys, never real secrets.
const FIXTURES = new URL('../fixtures/keys/', import.meta.url);
const SECOND = 1000;

const issued = { issuedAtMs: z.number().int(), ttlSeconds: z.number().int() };
const fixtureSchema = z.object({
  dataKeys: z.object({ current: z.string(), old: z.string() }),
  streamTokens: z.array(z.object({ keyId: z.string(), callSid: z.string(), token: z.string(), ...issued })),
  reviewLinks: z.array(
    z.object({ keyId: z.string(), publicBaseUrl: z.string(), reference: z.string(), link: z.string() }),
  ),
  resumeTokens: z.array(
    z.object({
      keyId: z.string(),
      publicBaseUrl: z.string(),
      applicationId: z.string(),
      expiresAt: z.iso.datetime(),
      link: z.string(),
      ...issued,
    }),
  ),
  fieldCipherTokens: z.array(
    z.object({ keyId: z.string(), plaintext: z.string(), context: z.string(), token: z.string() }),
  ),
  lookupHashes: z.array(z.object({ keyId: z.string(), value: z.string(), hash: z.string() })),
  csrfSecrets: z.array(z.object({ keyId: z.string(), secret: z.string() })),
  recordings: z.array(z.object({ keyId: z.string(), callSid: z.string(), file: z.string(), wavFile: z.string() })),
});

const fixtures = fixtureSchema.parse(JSON.parse(readFileSync(new URL('legacy-keys.json', FIXTURES), 'utf8')));
const [current] = testDataKeys(fixtures.dataKeys.current);
const [old] = testDataKeys(fixtures.dataKeys.old);
/** The ring during a rotation: the new key signs, both verify. */
const ring: DataKey[] = [current!, old!];
const CURRENT_ID = current!.id;

/** The same text with one character replaced by another of the base64url alphabet. */
function alterCharacter(text: string, at: number): string {
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
}

function pathAfter(link: string, prefix: string): string {
  return link.slice(link.indexOf(prefix) + prefix.length);
}

describe('stream tokens issued before the key module', () => {
  const tokensAt = (ms: number, keys = ring) => new StreamTokens(keys, fixtures.streamTokens[0]!.ttlSeconds, () => ms);

  it('when a fixture token is checked for its call within its minute, then it is accepted under either key', () => {
    for (const fixture of fixtures.streamTokens) {
      expect(tokensAt(fixture.issuedAtMs).check(fixture.token, fixture.callSid), fixture.keyId).toEqual({ ok: true });
    }
  });

  it('when the current key issues a token at the fixture time, then it is the fixture token to the byte', () => {
    const fixture = fixtures.streamTokens.find((f) => f.keyId === CURRENT_ID)!;
    expect(tokensAt(fixture.issuedAtMs).issue(fixture.callSid)).toBe(fixture.token);
  });

  it('when a fixture token is altered, used for another call or used after its minute, then it is refused', () => {
    for (const fixture of fixtures.streamTokens) {
      const tokens = tokensAt(fixture.issuedAtMs);
      expect(tokens.check(alterCharacter(fixture.token, fixture.token.length - 5), fixture.callSid)).toEqual({
        ok: false,
        reason: 'forged',
      });
      expect(tokens.check(fixture.token, `CA${'9'.repeat(32)}`)).toEqual({ ok: false, reason: 'forged' });
      const afterItsMinute = fixture.issuedAtMs + (fixture.ttlSeconds + 1) * SECOND;
      expect(tokensAt(afterItsMinute).check(fixture.token, fixture.callSid)).toEqual({ ok: false, reason: 'expired' });
      const others = ring.filter((k) => k.id !== fixture.keyId);
      expect(tokensAt(afterItsMinute, others).check(fixture.token, fixture.callSid)).toEqual({
        ok: false,
        reason: 'forged',
      });
    }
  });
});

describe('review links texted before the key module', () => {
  it('when a fixture link is opened while its key is listed, then it leads to its reference', () => {
    for (const fixture of fixtures.reviewLinks) {
      const links = new ReviewLinks(new URL(fixture.publicBaseUrl), ring);
      expect(links.referenceOf(pathAfter(fixture.link, REVIEW_PATH_PREFIX)), fixture.keyId).toBe(fixture.reference);
    }
  });

  it('when the current key makes a link for the fixture reference, then it is the fixture link to the byte', () => {
    const fixture = fixtures.reviewLinks.find((f) => f.keyId === CURRENT_ID)!;
    expect(new ReviewLinks(new URL(fixture.publicBaseUrl), ring).linkFor(fixture.reference)).toBe(fixture.link);
  });

  it('when a fixture link is altered, or its key is no longer listed, then it leads nowhere', () => {
    for (const fixture of fixtures.reviewLinks) {
      const token = pathAfter(fixture.link, REVIEW_PATH_PREFIX);
      const links = new ReviewLinks(new URL(fixture.publicBaseUrl), ring);
      expect(links.referenceOf(alterCharacter(token, token.length - 3))).toBeUndefined();
      const others = ring.filter((k) => k.id !== fixture.keyId);
      expect(new ReviewLinks(new URL(fixture.publicBaseUrl), others).referenceOf(token)).toBeUndefined();
    }
  });
});

describe('resume links texted before the key module', () => {
  const linksAt = (fixture: (typeof fixtures.resumeTokens)[number], now: number, keys = ring) =>
    new ResumeLinks(new URL(fixture.publicBaseUrl), keys, { now: () => now, ttlSeconds: fixture.ttlSeconds });

  it('when a fixture link is opened before it expires, then it opens its draft', () => {
    for (const fixture of fixtures.resumeTokens) {
      const token = pathAfter(fixture.link, RESUME_PATH_PREFIX);
      expect(linksAt(fixture, fixture.issuedAtMs).verify(token), fixture.keyId).toEqual({
        ok: true,
        applicationId: fixture.applicationId,
        expiresAt: new Date(fixture.expiresAt),
      });
    }
  });

  it('when the current key makes a link at the fixture time, then it is the fixture link to the byte', () => {
    const fixture = fixtures.resumeTokens.find((f) => f.keyId === CURRENT_ID)!;
    expect(linksAt(fixture, fixture.issuedAtMs).linkFor(fixture.applicationId)).toBe(fixture.link);
  });

  it('when a fixture link is altered, then it is forged; when it is past its expiry, then it has expired', () => {
    for (const fixture of fixtures.resumeTokens) {
      const token = pathAfter(fixture.link, RESUME_PATH_PREFIX);
      const links = linksAt(fixture, fixture.issuedAtMs);
      expect(links.verify(alterCharacter(token, 3))).toEqual({ ok: false, reason: 'forged' });
      expect(linksAt(fixture, Date.parse(fixture.expiresAt)).verify(token)).toEqual({ ok: false, reason: 'expired' });
      const others = ring.filter((k) => k.id !== fixture.keyId);
      expect(linksAt(fixture, fixture.issuedAtMs, others).verify(token)).toEqual({ ok: false, reason: 'forged' });
    }
  });
});

describe('the key that verified a legacy token', () => {
  it('when a fixture stream token, review link or resume link verifies, then the helper names the key that signed it', () => {
    for (const fixture of fixtures.streamTokens) {
      const tokens = new SignedTokens(ring, STREAM_TOKEN_FORMAT, () => fixture.issuedAtMs);
      expect(tokens.verify(fixture.token, fixture.callSid)).toMatchObject({ ok: true, keyId: fixture.keyId });
    }
    for (const fixture of fixtures.reviewLinks) {
      const token = pathAfter(fixture.link, REVIEW_PATH_PREFIX);
      expect(new SignedTokens(ring, REVIEW_LINK_FORMAT).verify(token)).toEqual({
        ok: true,
        claims: fixture.reference,
        keyId: fixture.keyId,
      });
    }
    for (const fixture of fixtures.resumeTokens) {
      const token = pathAfter(fixture.link, RESUME_PATH_PREFIX);
      expect(new SignedTokens(ring, RESUME_TOKEN_FORMAT, () => fixture.issuedAtMs).verify(token)).toEqual({
        ok: true,
        claims: { applicationId: fixture.applicationId, expiresAtSeconds: Date.parse(fixture.expiresAt) / SECOND },
        keyId: fixture.keyId,
      });
    }
  });
});

describe('field-cipher values stored before the key module', () => {
  it('when a fixture token is decrypted with its context, then it gives back the plaintext', () => {
    const cipher = new FieldCipher(ring);
    for (const fixture of fixtures.fieldCipherTokens) {
      expect(cipher.decrypt(fixture.token, fixture.context), fixture.token).toBe(fixture.plaintext);
      expect(cipher.needsRekey(fixture.token)).toBe(fixture.keyId !== CURRENT_ID);
    }
  });

  it('when a fixture token is altered or read in another field, then it fails authentication', () => {
    const cipher = new FieldCipher(ring);
    for (const fixture of fixtures.fieldCipherTokens) {
      const tag = fixture.token.lastIndexOf('.') + 1;
      for (const [token, context] of [
        [alterCharacter(fixture.token, tag), fixture.context],
        [fixture.token, `${fixture.context}X`],
      ] as const) {
        expect(() => cipher.decrypt(token, context)).toThrow(
          expect.objectContaining({ name: 'DecryptionError', reason: 'authentication' }),
        );
      }
    }
  });

  it('when a fixture token names a key no longer listed, then it is an unknown key', () => {
    const fixture = fixtures.fieldCipherTokens.find((f) => f.keyId !== CURRENT_ID)!;
    let thrown: unknown;
    try {
      new FieldCipher([current!]).decrypt(fixture.token, fixture.context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DecryptionError);
    expect(thrown).toMatchObject({ reason: 'unknown-key' });
  });

  it('when a fixture value is hashed for lookup, then every key gives the hash stored under it', () => {
    const cipher = new FieldCipher(ring);
    for (const fixture of fixtures.lookupHashes) {
      expect(cipher.lookupHashes(fixture.value)).toContain(fixture.hash);
    }
    const currentHash = fixtures.lookupHashes.find((f) => f.keyId === CURRENT_ID)!;
    expect(cipher.lookupHash(currentHash.value)).toBe(currentHash.hash);
  });
});

describe('CSRF secrets before the key module', () => {
  it('when secrets are derived from the fixture keys, then they are the fixture secrets, in key order', () => {
    expect(csrfSecretsFrom(ring)).toEqual(ring.map((k) => fixtures.csrfSecrets.find((f) => f.keyId === k.id)?.secret));
  });
});

describe('call recordings stored before the key module', () => {
  const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

  it('when a fixture recording is loaded for its call, then it gives back the WAV', async () => {
    for (const fixture of fixtures.recordings) {
      const store = new MemoryRecordingStore();
      await store.put(fixture.file, [readFixture(fixture.file)]);
      expect(await new CallRecordings(store, ring).load(fixture.callSid), fixture.keyId).toEqual(
        readFixture(fixture.wavFile),
      );
    }
  });

  it('when a byte of a fixture recording is altered, then it fails authentication', async () => {
    for (const fixture of fixtures.recordings) {
      for (const at of [14, 30, -20, -1]) {
        const stored = readFixture(fixture.file);
        stored[at < 0 ? stored.length + at : at]! ^= 1;
        const store = new MemoryRecordingStore();
        await store.put(fixture.file, [stored]);
        await expect(new CallRecordings(store, ring).load(fixture.callSid), `byte ${at}`).rejects.toSatisfy(
          (error) => error instanceof DecryptionError && error.reason === 'authentication',
        );
      }
    }
  });
});
