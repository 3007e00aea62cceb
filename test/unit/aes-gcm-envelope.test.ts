import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { AesGcmEnvelope, IV_BYTES, TAG_BYTES } from '../../src/keys/aes-gcm-envelope.ts';
import { DecryptionError } from '../../src/keys/decryption-error.ts';
import { testDataKeys, TEST_KEY_A, TEST_KEY_B } from '../support/keys.ts';

const OPTIONS = {
  owner: 'TestVault',
  purpose: 'permitline test envelope v1',
  missingKeyAdvice: 'list it again.',
  misplacedAs: 'moved to another shelf',
} as const;
const WHAT = 'the test value';
const AAD = Buffer.from('shelves/1');

function envelope(keys = TEST_KEY_A): AesGcmEnvelope {
  return new AesGcmEnvelope(testDataKeys(keys), OPTIONS);
}

function openError(run: () => unknown): DecryptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof DecryptionError) return error;
    throw error;
  }
  throw new Error('expected a DecryptionError, but nothing was thrown');
}

describe('the AES-GCM envelope', () => {
  it('when a value is sealed, then it has a fresh 12-byte IV and a 16-byte tag, names the current key, and opens', () => {
    const vault = envelope(`${TEST_KEY_B},${TEST_KEY_A}`);
    const first = vault.seal(Buffer.from('tacos'), AAD);
    const second = vault.seal(Buffer.from('tacos'), AAD);

    expect(first.keyId).toBe('kb');
    expect(first.iv).toHaveLength(IV_BYTES);
    expect(first.tag).toHaveLength(TAG_BYTES);
    expect(first.iv).not.toEqual(second.iv);
    expect(vault.open(first, AAD, WHAT).toString()).toBe('tacos');
    expect(vault.currentKeyId).toBe('kb');
    expect(vault.keyIds).toEqual(['kb', 'ka']);
  });

  it('when the additional data is built from the key id and IV, then it is given those of the sealed value', () => {
    const seen: { keyId: string; iv: Buffer }[] = [];
    const sealed = envelope().seal(Buffer.from('tacos'), (sealing) => {
      seen.push(sealing);
      return Buffer.concat([Buffer.from(sealing.keyId), sealing.iv]);
    });

    expect(seen).toEqual([{ keyId: sealed.keyId, iv: sealed.iv }]);
    expect(
      envelope()
        .open(sealed, Buffer.concat([Buffer.from('ka'), sealed.iv]), WHAT)
        .toString(),
    ).toBe('tacos');
  });

  it('when the keys rotate, then values sealed under the old key open while it is listed, and name it when not', () => {
    const old = envelope(TEST_KEY_A).seal(Buffer.from('tacos'), AAD);

    expect(envelope(`${TEST_KEY_B},${TEST_KEY_A}`).open(old, AAD, WHAT).toString()).toBe('tacos');
    const error = openError(() => envelope(TEST_KEY_B).open(old, AAD, WHAT));
    expect(error.reason).toBe('unknown-key');
    expect(error.message).toBe(
      'Cannot decrypt the test value: it was encrypted with data key "ka", which DATA_KEYS no longer lists; list it again.',
    );
  });

  it('when the additional data, ciphertext or tag differ, then opening fails authentication, saying what and why', () => {
    const vault = envelope();
    const sealed = vault.seal(Buffer.from('tacos'), AAD);
    const flipped = (bytes: Buffer): Buffer => Buffer.from(bytes.map((byte, at) => (at === 0 ? byte ^ 1 : byte)));

    for (const [label, run] of [
      ['aad', () => vault.open(sealed, Buffer.from('shelves/2'), WHAT)],
      ['ciphertext', () => vault.open({ ...sealed, ciphertext: flipped(sealed.ciphertext) }, AAD, WHAT)],
      ['tag', () => vault.open({ ...sealed, tag: flipped(sealed.tag) }, AAD, WHAT)],
      ['iv', () => vault.open({ ...sealed, iv: flipped(sealed.iv) }, AAD, WHAT)],
    ] as const) {
      const error = openError(run);
      expect(error.reason, label).toBe('authentication');
      expect(error.message).toContain('Cannot decrypt the test value: it failed authentication under data key "ka"');
      expect(error.message).toContain('moved to another shelf');
    }
    expect(openError(() => vault.open({ ...sealed, tag: sealed.tag.subarray(1) }, AAD, WHAT)).reason).toBe('malformed');
  });

  it('when a value does not decrypt, then the error is an AppError that is not operational', () => {
    const error = openError(() => envelope(TEST_KEY_B).open(envelope().seal(Buffer.from('x'), AAD), AAD, WHAT));

    expect(error).toBeInstanceOf(AppError);
    expect(error.name).toBe('DecryptionError');
    expect(error.operational).toBe(false);
    expect(error.status).toBe(500);
  });

  it('when there is no data key, then construction refuses, naming the user', () => {
    expect(() => new AesGcmEnvelope([], OPTIONS)).toThrow(/TestVault: no data key/);
  });
});
