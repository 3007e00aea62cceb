import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKey } from './data-keys.ts';
import { DecryptionError } from './decryption-error.ts';
import { SubkeyRing } from './subkeys.ts';

/**
 * AES-256-GCM under a purpose subkey of each data key: the current key seals,
 * the key named in a sealed value opens it. The envelope is the parts, not a
 * stored layout: each user (field cipher, call recordings) writes and parses
 * its own, and supplies the additional authenticated data, which binds a
 * value to where it belongs (its field, its call) without being stored.
 */

const CIPHER = 'aes-256-gcm';
/** GCM's own nonce size (any other length is hashed down to it); random per value. */
export const IV_BYTES = 12;
/** The full GCM tag: truncated tags weaken authentication. */
export const TAG_BYTES = 16;

export interface SealedEnvelope {
  /** The DATA_KEYS id whose subkey sealed it. */
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * The additional authenticated data, or how to build it from the key id and
 * IV of the value being sealed: a stored header that contains both can then
 * be authenticated too.
 */
export type AdditionalData = Buffer | ((sealing: { readonly keyId: string; readonly iv: Buffer }) => Buffer);

export interface AesGcmEnvelopeOptions {
  /** Names the user in the error when there is no key, e.g. "FieldCipher". */
  readonly owner: string;
  /** The HKDF label of the subkey; changing it makes everything already sealed unreadable. */
  readonly purpose: string;
  /** Ends the message when a value names a key DATA_KEYS no longer lists: what the operator should do. */
  readonly missingKeyAdvice: string;
  /** Besides alteration and a changed key, why a value may fail authentication, e.g. "belongs to another call". */
  readonly misplacedAs: string;
}

export class AesGcmEnvelope {
  readonly #ring: SubkeyRing;
  readonly #options: AesGcmEnvelopeOptions;

  /** `dataKeys`: the first seals, every one opens what it sealed. */
  constructor(dataKeys: readonly DataKey[], options: AesGcmEnvelopeOptions) {
    this.#ring = new SubkeyRing(dataKeys, options.purpose, options.owner);
    this.#options = options;
  }

  get currentKeyId(): string {
    return this.#ring.current.keyId;
  }

  /** Every key id, current first. */
  get keyIds(): string[] {
    return this.#ring.keyIds;
  }

  seal(plaintext: Buffer, additionalData: AdditionalData): SealedEnvelope {
    const { keyId, key } = this.#ring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(typeof additionalData === 'function' ? additionalData({ keyId, iv }) : additionalData);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  /** The plaintext; throws DecryptionError, naming `what` (e.g. "the recording of call CA…"), when it cannot. */
  open(sealed: SealedEnvelope, additionalData: Buffer, what: string): Buffer {
    const { keyId } = sealed;
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
      throw new DecryptionError(
        'malformed',
        `Cannot decrypt ${what}: its IV must be ${IV_BYTES} bytes and its tag ${TAG_BYTES}.`,
      );
    }
    const subkey = this.#ring.find(keyId);
    if (subkey === undefined) {
      throw new DecryptionError(
        'unknown-key',
        `Cannot decrypt ${what}: it was encrypted with data key "${keyId}", which DATA_KEYS no longer lists; ${this.#options.missingKeyAdvice}`,
      );
    }
    const decipher = createDecipheriv(CIPHER, subkey.key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData);
    decipher.setAuthTag(sealed.tag);
    try {
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
    } catch (error) {
      throw new DecryptionError(
        'authentication',
        `Cannot decrypt ${what}: it failed authentication under data key "${keyId}"; it was altered, ${this.#options.misplacedAs}, or the key under that id changed.`,
        { cause: error },
      );
    }
  }
}
