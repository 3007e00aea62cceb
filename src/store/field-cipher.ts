// Field-level encryption and lookup hashes for personal data at rest.
//
// Token format (one text column per field):
//
//   v1.<keyId>.<iv>.<ciphertext>.<tag>
//
//   v1          format version, so the layout can change without guessing
//   keyId       the DATA_KEYS id that encrypted it ([A-Za-z0-9_-], never '.')
//   iv          base64url, 12 random bytes (GCM's own nonce size)
//   ciphertext  base64url, AES-256-GCM; empty when the plaintext is ''
//   tag         base64url, the full 16-byte GCM tag
//
// base64url has no '.', so the token splits unambiguously. The caller's
// context (e.g. `applications/<id>/applicantName`) is the GCM additional
// authenticated data: it is not stored, but a token copied to another row or
// field no longer authenticates.
//
// Key separation: each DATA_KEYS key is only input to HKDF-SHA256, which
// derives one AES key and one HMAC key under different `info` labels. The two
// algorithms therefore never share a key, and the lookup-hash key can be handed
// to something that only needs to match phone numbers without it being able to
// decrypt anything.

import { createHmac } from 'node:crypto';
import { AesGcmEnvelope, IV_BYTES, TAG_BYTES, type SealedEnvelope } from '../keys/aes-gcm-envelope.ts';
import { decodeCanonical } from '../keys/canonical-base64.ts';
import { KEY_ID_PATTERN, type DataKey } from '../keys/data-keys.ts';
import { DecryptionError } from '../keys/decryption-error.ts';
import { SubkeyRing, type Subkey } from '../keys/subkeys.ts';

const TOKEN_VERSION = 'v1';
const TOKEN_SEPARATOR = '.';
const TOKEN_PART_COUNT = 5;
const HMAC_DIGEST = 'sha256';
const ENCRYPTION_KEY_INFO = 'permitline field encryption v1';
const LOOKUP_KEY_INFO = 'permitline lookup hash v1';
const OWNER = 'FieldCipher';

export class FieldCipher {
  readonly #envelope: AesGcmEnvelope;
  readonly #lookup: SubkeyRing;

  constructor(dataKeys: readonly DataKey[]) {
    this.#envelope = new AesGcmEnvelope(dataKeys, {
      owner: OWNER,
      purpose: ENCRYPTION_KEY_INFO,
      missingKeyAdvice: 'DATA_KEYS must still list that key until npm run rekey has re-encrypted every value.',
      misplacedAs: 'copied from another field or row',
    });
    this.#lookup = new SubkeyRing(dataKeys, LOOKUP_KEY_INFO, OWNER);
  }

  get currentKeyId(): string {
    return this.#envelope.currentKeyId;
  }

  encrypt(plaintext: string, context: string): string {
    requireWellFormed(plaintext, 'plaintext');
    if (context === '') {
      // Without a context any token would authenticate in any field.
      throw new TypeError('FieldCipher.encrypt needs a non-empty context, such as applications/<id>/<field>.');
    }
    const { keyId, iv, ciphertext, tag } = this.#envelope.seal(Buffer.from(plaintext, 'utf8'), contextBytes(context));
    return [
      TOKEN_VERSION,
      keyId,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      tag.toString('base64url'),
    ].join(TOKEN_SEPARATOR);
  }

  decrypt(token: string, context: string): string {
    return this.#envelope.open(parseToken(token, context), contextBytes(context), context).toString('utf8');
  }

  /** True when the token was made under a key other than the current one. */
  needsRekey(token: string): boolean {
    return parseToken(token, 'a stored value').keyId !== this.currentKeyId;
  }

  /**
   * `<keyId>.<base64url(HMAC-SHA256)>` under the current key. Deterministic,
   * so equal values can be matched in SQL; callers normalise first (E.164).
   */
  lookupHash(value: string): string {
    return lookupHashUnder(this.#lookup.current, value);
  }

  /** One hash per key, current first, so rows hashed before a rekey still match. */
  lookupHashes(value: string): string[] {
    return this.#lookup.all.map((subkey) => lookupHashUnder(subkey, value));
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.#envelope.keyIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `FieldCipher ${JSON.stringify(this.toJSON())}`;
  }
}

function lookupHashUnder({ keyId, key }: Subkey, value: string): string {
  requireWellFormed(value, 'value');
  const mac = createHmac(HMAC_DIGEST, key).update(value, 'utf8').digest('base64url');
  return `${keyId}${TOKEN_SEPARATOR}${mac}`;
}

function contextBytes(context: string): Buffer {
  return Buffer.from(context, 'utf8');
}

// UTF-8 encoding turns every lone surrogate into U+FFFD, so an ill-formed
// string would not round-trip and distinct values would hash alike.
function requireWellFormed(text: string, what: string): void {
  if (!text.isWellFormed()) {
    throw new TypeError(`FieldCipher cannot take this ${what}: it contains a lone UTF-16 surrogate.`);
  }
}

function parseToken(token: string, context: string): SealedEnvelope {
  const malformed = (detail: string): DecryptionError =>
    new DecryptionError(
      'malformed',
      `Cannot decrypt ${context}: the stored value is not a field-cipher token (${detail}).`,
    );

  const parts = token.split(TOKEN_SEPARATOR);
  if (parts.length !== TOKEN_PART_COUNT) {
    throw malformed(`expected ${TOKEN_PART_COUNT} dot-separated parts, found ${parts.length}`);
  }
  const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== TOKEN_VERSION) {
    throw malformed(`unsupported version; expected ${TOKEN_VERSION}`);
  }
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw malformed('invalid key id');
  }
  return {
    keyId,
    iv: decodePart(iv, IV_BYTES, () => malformed(`the IV is not ${IV_BYTES} bytes of base64url`)),
    ciphertext: decodePart(ciphertext, undefined, () => malformed('the ciphertext is not base64url')),
    tag: decodePart(tag, TAG_BYTES, () => malformed(`the tag is not ${TAG_BYTES} bytes of base64url`)),
  };
}

function decodePart(encoded: string, expectedBytes: number | undefined, onError: () => Error): Buffer {
  const bytes = decodeCanonical(encoded, 'base64url', expectedBytes);
  if (bytes === undefined) throw onError();
  return bytes;
}
