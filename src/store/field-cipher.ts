// Field-level encryption and lookup hashes for personal data at rest.
//
// Token format (one text column per field):
//
//   v1.<keyId>.<iv>.<ciphertext>.<tag>
//
//   v1          format version, so the layout can change without guessing
//   keyId       the DATA_KEYS id that encrypted it ([A-Za-z0-9_-], never '.')
//   iv          base64url, 12 random bytes (the GCM nonce size NIST recommends)
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

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { KEY_BYTES, KEY_ID_PATTERN, type DataKey } from '../keys/data-keys.ts';
import { deriveSubkey } from '../keys/subkeys.ts';

const TOKEN_VERSION = 'v1';
const TOKEN_SEPARATOR = '.';
const TOKEN_PART_COUNT = 5;
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HMAC_DIGEST = 'sha256';
const ENCRYPTION_KEY_INFO = 'permitline field encryption v1';
const LOOKUP_KEY_INFO = 'permitline lookup hash v1';

export type DecryptionFailure = 'malformed' | 'unknown-key' | 'authentication';

export class DecryptionError extends Error {
  override name = 'DecryptionError';
  readonly reason: DecryptionFailure;

  constructor(reason: DecryptionFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

interface DerivedKeys {
  encryption: KeyObject;
  lookup: KeyObject;
}

interface ParsedToken {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export class FieldCipher {
  // Only derived keys are kept, as KeyObjects, which never print their bytes;
  // the caller's DataKey buffers are not retained.
  readonly #keys: ReadonlyMap<string, DerivedKeys>;
  readonly #currentKeyId: string;
  readonly #current: DerivedKeys;

  constructor(dataKeys: readonly DataKey[]) {
    const ring = deriveRing(dataKeys);
    const [current] = ring;
    if (current === undefined) {
      throw new Error('FieldCipher needs at least one data key; DATA_KEYS lists none.');
    }
    this.#keys = new Map(ring);
    [this.#currentKeyId, this.#current] = current;
  }

  get currentKeyId(): string {
    return this.#currentKeyId;
  }

  encrypt(plaintext: string, context: string): string {
    requireWellFormed(plaintext, 'plaintext');
    if (context === '') {
      // Without a context any token would authenticate in any field.
      throw new TypeError('FieldCipher.encrypt needs a non-empty context, such as applications/<id>/<field>.');
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.#current.encryption, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      TOKEN_VERSION,
      this.#currentKeyId,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join(TOKEN_SEPARATOR);
  }

  decrypt(token: string, context: string): string {
    const parsed = parseToken(token, context);
    const keys = this.#keys.get(parsed.keyId);
    if (keys === undefined) {
      throw new DecryptionError(
        'unknown-key',
        `Cannot decrypt ${context}: it was encrypted with data key "${parsed.keyId}", which DATA_KEYS no longer lists; DATA_KEYS must still list that key until npm run rekey has re-encrypted every value.`,
      );
    }
    const decipher = createDecipheriv(CIPHER, keys.encryption, parsed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(parsed.tag);
    try {
      return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new DecryptionError(
        'authentication',
        `Cannot decrypt ${context}: the value failed authentication under data key "${parsed.keyId}"; it was altered, copied from another field or row, or the key under that id changed.`,
        { cause: error },
      );
    }
  }

  /** True when the token was made under a key other than the current one. */
  needsRekey(token: string): boolean {
    return parseToken(token, 'a stored value').keyId !== this.#currentKeyId;
  }

  /**
   * `<keyId>.<base64url(HMAC-SHA256)>` under the current key. Deterministic,
   * so equal values can be matched in SQL; callers normalise first (E.164).
   */
  lookupHash(value: string): string {
    return this.#lookupHashUnder(this.#currentKeyId, this.#current, value);
  }

  /** One hash per key, current first, so rows hashed before a rekey still match. */
  lookupHashes(value: string): string[] {
    return [...this.#keys].map(([keyId, keys]) => this.#lookupHashUnder(keyId, keys, value));
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.#currentKeyId, keyIds: [...this.#keys.keys()] };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `FieldCipher ${JSON.stringify(this.toJSON())}`;
  }

  #lookupHashUnder(keyId: string, keys: DerivedKeys, value: string): string {
    requireWellFormed(value, 'value');
    const mac = createHmac(HMAC_DIGEST, keys.lookup).update(value, 'utf8').digest('base64url');
    return `${keyId}${TOKEN_SEPARATOR}${mac}`;
  }
}

function deriveRing(dataKeys: readonly DataKey[]): [string, DerivedKeys][] {
  const seenIds = new Set<string>();
  return dataKeys.map(({ id, key }, index) => {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new Error(`Data key ${index + 1} has an invalid id; use 1 to 32 letters, digits, '_' or '-'.`);
    }
    if (key.length !== KEY_BYTES) {
      throw new Error(`Data key "${id}" is ${key.length} bytes; it must be ${KEY_BYTES}.`);
    }
    if (seenIds.has(id)) {
      throw new Error(`Data key id "${id}" appears twice; give every key its own id.`);
    }
    seenIds.add(id);
    return [id, { encryption: deriveKey(key, ENCRYPTION_KEY_INFO), lookup: deriveKey(key, LOOKUP_KEY_INFO) }];
  });
}

function deriveKey(dataKey: Buffer, info: string): KeyObject {
  return createSecretKey(deriveSubkey(dataKey, info));
}

// UTF-8 encoding turns every lone surrogate into U+FFFD, so an ill-formed
// string would not round-trip and distinct values would hash alike.
function requireWellFormed(text: string, what: string): void {
  if (!text.isWellFormed()) {
    throw new TypeError(`FieldCipher cannot take this ${what}: it contains a lone UTF-16 surrogate.`);
  }
}

function parseToken(token: string, context: string): ParsedToken {
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
  const bytes = Buffer.from(encoded, 'base64url');
  // Buffer.from ignores characters outside the alphabet; only the canonical
  // encoding is a token we wrote.
  if (bytes.toString('base64url') !== encoded || (expectedBytes !== undefined && bytes.length !== expectedBytes)) {
    throw onError();
  }
  return bytes;
}
