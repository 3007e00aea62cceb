import { createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataKey } from '../../src/keys/data-keys.ts';
import { DecryptionError } from '../../src/keys/decryption-error.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';

const KEY_BYTES = 32;
const CONTEXT = 'applications/42/applicantName';
const TOKEN_SHAPE = /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

function dataKey(id: string): DataKey {
  return { id, key: randomBytes(KEY_BYTES) };
}

function decryptError(run: () => unknown): DecryptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof DecryptionError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a DecryptionError, but nothing was thrown');
}

function replacePart(token: string, index: number, replace: (part: string) => string): string {
  const parts = token.split('.');
  parts[index] = replace(parts[index]!);
  return parts.join('.');
}

function flipFirstByte(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('FieldCipher', () => {
  const keyA = dataKey('a');
  const keyB = dataKey('b');

  describe('round trip', () => {
    it.each([
      ['an empty string', ''],
      ['a name with accents', 'María José Núñez-O’Brien'],
      ['non-Latin text and emoji', '東京の屋台 🌮👩🏽‍🍳 Ελληνικά'],
      ['HTML', '<script>alert("x")</script><b>Tacos</b> & more'],
      ['SQL', "Robert'); DROP TABLE applications; --"],
      ['a long address', '1 Main St, Suite 200\n'.repeat(500)],
    ])('when %s is encrypted, then decrypting with the same context returns it', (_label, plaintext) => {
      const cipher = new FieldCipher([keyA]);

      const token = cipher.encrypt(plaintext, CONTEXT);

      expect(token).toMatch(TOKEN_SHAPE);
      expect(cipher.decrypt(token, CONTEXT)).toBe(plaintext);
    });

    it('when any string and context are encrypted, then they decrypt to the same string', () => {
      const cipher = new FieldCipher([keyA]);
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary', minLength: 1 }),
          (plaintext, context) => {
            expect(cipher.decrypt(cipher.encrypt(plaintext, context), context)).toBe(plaintext);
          },
        ),
      );
    });

    it('when a token written by an earlier build is decrypted, then the stored format still reads', () => {
      // Known answer: tokens already in the database must keep decrypting if
      // this module is refactored (format, HKDF labels, AAD encoding).
      const cipher = new FieldCipher([{ id: 'kat', key: Buffer.alloc(KEY_BYTES, 7) }]);

      const plaintext = cipher.decrypt('v1.kat.SXSOOMNIOxZXUF0l.btQowo8a2uNRFGjnMQ.673Mdy0xcxvBMUSZx2TD7w', CONTEXT);

      expect(plaintext).toBe('Maria Núñez');
    });
  });

  describe('ciphertext', () => {
    it('when the same value is encrypted twice, then the tokens differ and neither contains the plaintext', () => {
      const cipher = new FieldCipher([keyA]);
      const plaintext = 'Maria Nunez +15555550123';

      const first = cipher.encrypt(plaintext, CONTEXT);
      const second = cipher.encrypt(plaintext, CONTEXT);

      expect(first).not.toBe(second);
      for (const token of [first, second]) {
        expect(token).not.toContain(plaintext);
        expect(token).not.toContain('Maria');
        expect(token).not.toContain(Buffer.from(plaintext).toString('base64url').slice(0, 12));
      }
    });

    it('when a token is made, then it names the current key id', () => {
      const token = new FieldCipher([keyB, keyA]).encrypt('x', CONTEXT);

      expect(token.startsWith('v1.b.')).toBe(true);
    });

    it('when a plaintext has a lone surrogate, then encrypt refuses it instead of storing U+FFFD', () => {
      const cipher = new FieldCipher([keyA]);

      expect(() => cipher.encrypt('ab\uD800', CONTEXT)).toThrow(/lone UTF-16 surrogate/);
    });

    it('when the context is empty, then encrypt refuses, because the token would fit any field', () => {
      const cipher = new FieldCipher([keyA]);

      expect(() => cipher.encrypt('x', '')).toThrow(/non-empty context/);
    });
  });

  describe('authentication', () => {
    it('when a token is decrypted with another row or field as context, then it fails authentication', () => {
      const cipher = new FieldCipher([keyA]);
      const token = cipher.encrypt('Maria', 'applications/42/applicantName');

      for (const otherContext of ['applications/43/applicantName', 'applications/42/businessName']) {
        const error = decryptError(() => cipher.decrypt(token, otherContext));
        expect(error.reason).toBe('authentication');
        expect(error.message).toContain(otherContext);
      }
    });

    it.each([
      ['IV', 2],
      ['ciphertext', 3],
      ['tag', 4],
    ])('when one bit of the %s is flipped, then decrypting fails authentication', (_label, partIndex) => {
      const cipher = new FieldCipher([keyA]);
      const token = cipher.encrypt('Maria', CONTEXT);

      const tampered = replacePart(token, partIndex, flipFirstByte);

      expect(decryptError(() => cipher.decrypt(tampered, CONTEXT)).reason).toBe('authentication');
    });

    it('when a token is relabelled with another key id in the ring, then decrypting fails authentication', () => {
      const cipher = new FieldCipher([keyB, keyA]);
      const token = cipher.encrypt('Maria', CONTEXT);

      const relabelled = replacePart(token, 1, () => 'a');

      expect(decryptError(() => cipher.decrypt(relabelled, CONTEXT)).reason).toBe('authentication');
    });

    it.each([
      ['an empty string', () => ''],
      ['plaintext stored by mistake', () => 'Maria Nunez'],
      ['too few parts', (token: string) => token.split('.').slice(0, 4).join('.')],
      ['an extra part', (token: string) => `${token}.x`],
      ['another version', (token: string) => replacePart(token, 0, () => 'v2')],
      ['an empty key id', (token: string) => replacePart(token, 1, () => '')],
      ['a short IV', (token: string) => replacePart(token, 2, (iv) => iv.slice(0, 8))],
      ['a truncated tag', (token: string) => replacePart(token, 4, (tag) => tag.slice(0, 11))],
      ['characters outside base64url', (token: string) => replacePart(token, 3, (text) => `${text}+/=`)],
    ])('when the token has %s, then decrypt says it is malformed', (_label, corrupt) => {
      const cipher = new FieldCipher([keyA]);
      const token = corrupt(cipher.encrypt('Maria', CONTEXT));

      const error = decryptError(() => cipher.decrypt(token, CONTEXT));

      expect(error.reason).toBe('malformed');
      expect(error.message).toMatch(/not a field-cipher token/);
      expect(() => cipher.needsRekey(token)).toThrow(DecryptionError);
    });
  });

  describe('key rotation', () => {
    it('when ring [A] encrypted a value and ring [B, A] re-encrypts it, then only [B] is needed to read it', () => {
      const oldRing = new FieldCipher([keyA]);
      const rotatingRing = new FieldCipher([keyB, keyA]);
      const newRing = new FieldCipher([keyB]);
      const underA = oldRing.encrypt('Maria', CONTEXT);

      expect(oldRing.needsRekey(underA)).toBe(false);
      expect(rotatingRing.decrypt(underA, CONTEXT)).toBe('Maria');
      expect(rotatingRing.needsRekey(underA)).toBe(true);

      const underB = rotatingRing.encrypt(rotatingRing.decrypt(underA, CONTEXT), CONTEXT);

      expect(rotatingRing.needsRekey(underB)).toBe(false);
      expect(newRing.decrypt(underB, CONTEXT)).toBe('Maria');
    });

    it('when the key id in a token is not in the ring, then the error names that id and DATA_KEYS', () => {
      const underA = new FieldCipher([keyA]).encrypt('Maria', CONTEXT);
      const newRing = new FieldCipher([keyB]);

      const error = decryptError(() => newRing.decrypt(underA, CONTEXT));

      expect(error.reason).toBe('unknown-key');
      expect(error.message).toContain('"a"');
      expect(error.message).toContain('DATA_KEYS must still list');
    });

    it('when the ring is built, then currentKeyId is the first key', () => {
      expect(new FieldCipher([keyB, keyA]).currentKeyId).toBe('b');
      expect(new FieldCipher([keyA, keyB]).currentKeyId).toBe('a');
    });
  });

  describe('lookup hashes', () => {
    const phone = '+15555550123';

    it('when the same value is hashed twice under one key, then the hashes are equal and name the key', () => {
      const hash = new FieldCipher([keyA]).lookupHash(phone);

      expect(new FieldCipher([keyA]).lookupHash(phone)).toBe(hash);
      expect(hash).toMatch(/^a\.[A-Za-z0-9_-]{43}$/);
      expect(hash).not.toContain('5555550123');
    });

    it('when values or keys differ, then the hashes differ', () => {
      const underA = new FieldCipher([keyA]);
      const underOtherKeyWithSameId = new FieldCipher([{ id: 'a', key: randomBytes(KEY_BYTES) }]);

      expect(underA.lookupHash(phone)).not.toBe(underA.lookupHash('+15555550124'));
      expect(underA.lookupHash(phone)).not.toBe(underOtherKeyWithSameId.lookupHash(phone));
      expect(new FieldCipher([keyB]).lookupHash(phone)).not.toBe(underA.lookupHash(phone));
    });

    it('when the ring has rotated, then lookupHashes lists the current hash first and still the old key hash', () => {
      const oldHash = new FieldCipher([keyA]).lookupHash(phone);
      const rotatingRing = new FieldCipher([keyB, keyA]);

      const hashes = rotatingRing.lookupHashes(phone);

      expect(hashes).toEqual([rotatingRing.lookupHash(phone), oldHash]);
      expect(hashes[0]).toMatch(/^b\./);
    });

    it('when a hash written by an earlier build is compared, then the derivation has not changed', () => {
      const cipher = new FieldCipher([{ id: 'kat', key: Buffer.alloc(KEY_BYTES, 7) }]);

      expect(cipher.lookupHash(phone)).toBe('kat.W6C2BfavdLgiJK1hRKaIdmq8hJhzArhBHrzQGvbRn8Q');
    });
  });

  describe('key separation', () => {
    const derive = (key: Buffer, info: string): Buffer =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, KEY_BYTES));

    it('when a lookup hash is made, then it uses the HKDF lookup sub-key, not the data key', () => {
      const hash = new FieldCipher([keyA]).lookupHash('+15555550123');
      const hmacUnder = (key: Buffer): string =>
        `a.${createHmac('sha256', key).update('+15555550123').digest('base64url')}`;

      expect(hash).toBe(hmacUnder(derive(keyA.key, 'permitline lookup hash v1')));
      expect(hash).not.toBe(hmacUnder(keyA.key));
    });

    it('when a value is encrypted, then the HKDF encryption sub-key opens it and the data key does not', () => {
      const token = new FieldCipher([keyA]).encrypt('Maria', CONTEXT);
      const [, , iv, ciphertext, tag] = token.split('.') as [string, string, string, string, string];
      const openWith = (key: Buffer): string => {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(CONTEXT));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString();
      };

      expect(openWith(derive(keyA.key, 'permitline field encryption v1'))).toBe('Maria');
      expect(() => openWith(keyA.key)).toThrow();
    });
  });

  describe('construction and printing', () => {
    it('when the ring is empty, then construction throws', () => {
      expect(() => new FieldCipher([])).toThrow(/at least one data key/);
    });

    it('when two keys share an id or a key is not 32 bytes, then construction throws', () => {
      expect(() => new FieldCipher([keyA, { id: 'a', key: randomBytes(KEY_BYTES) }])).toThrow(/appears twice/);
      expect(() => new FieldCipher([{ id: 'short', key: randomBytes(16) }])).toThrow(/must be 32/);
      expect(() => new FieldCipher([{ id: 'bad.id', key: randomBytes(KEY_BYTES) }])).toThrow(/invalid id/);
    });

    it('when the cipher is logged or serialised, then only key ids appear', () => {
      const cipher = new FieldCipher([keyB, keyA]);
      const printed = [
        inspect(cipher, { depth: Infinity, showHidden: true }),
        JSON.stringify({ cipher }),
        inspect({ nested: cipher }),
      ];

      expect(JSON.parse(JSON.stringify(cipher))).toEqual({ currentKeyId: 'b', keyIds: ['b', 'a'] });
      expect(printed[0]).toContain('"keyIds":["b","a"]');
      for (const text of printed) {
        expect(text).not.toMatch(/Buffer|KeyObject|<|>/);
        for (const { key } of [keyA, keyB]) {
          expect(text).not.toContain(key.toString('base64'));
          expect(text).not.toContain(key.toString('hex'));
          expect(text).not.toContain(key.subarray(0, 4).toString('hex'));
        }
      }
    });
  });
});
