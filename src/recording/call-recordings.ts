import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { KEY_BYTES, KEY_ID_PATTERN, type DataKey } from '../keys/data-keys.ts';
import { deriveSubkey } from '../keys/subkeys.ts';
import { DecryptionError } from '../store/field-cipher.ts';
import type { RecordingStore } from './recording-store.ts';

/**
 * Call recordings at rest: each WAV is encrypted with AES-256-GCM before it
 * reaches the store, and decrypted only when staff play it.
 *
 * Stored layout (one object per call):
 *
 *   "PLRC"        4 bytes, so a stray file is recognisable (and never "RIFF")
 *   version       1 byte, 1
 *   keyIdLength   1 byte, n
 *   keyId         n bytes ASCII: the DATA_KEYS id whose subkey encrypted it
 *   iv            12 random bytes
 *   ciphertext    the WAV
 *   tag           16 bytes, the full GCM tag
 *
 * The additional authenticated data is the header (magic to iv) followed by
 * `calls/<CallSid>/recording`: a file copied or renamed to another call, or
 * a header edited, no longer decrypts.
 *
 * The key is derived from the data key under its own HKDF label, so
 * recordings never share a key with field encryption, lookup hashes or
 * tokens. New recordings use the first DATA_KEYS entry; any entry still
 * listed can read old ones.
 */

const MAGIC = Buffer.from('PLRC', 'ascii');
const FORMAT_VERSION = 1;
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_PURPOSE = 'permitline recordings v1';
const OBJECT_SUFFIX = '.wav.enc';
const VERSION_AT = MAGIC.length;
const KEY_ID_LENGTH_AT = VERSION_AT + 1;
const KEY_ID_AT = KEY_ID_LENGTH_AT + 1;

export class CallRecordings {
  readonly #store: RecordingStore;
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #currentKeyId: string;

  constructor(store: RecordingStore, dataKeys: readonly DataKey[]) {
    const [current] = dataKeys;
    if (current === undefined) throw new Error('CallRecordings needs at least one data key; DATA_KEYS lists none.');
    for (const { id, key } of dataKeys) {
      if (!KEY_ID_PATTERN.test(id))
        throw new Error("A data key has an invalid id; use 1 to 32 letters, digits, '_' or '-'.");
      if (key.length !== KEY_BYTES)
        throw new Error(`Data key "${id}" is ${key.length} bytes; it must be ${KEY_BYTES}.`);
    }
    this.#store = store;
    this.#keys = new Map(dataKeys.map(({ id, key }) => [id, createSecretKey(deriveSubkey(key, KEY_PURPOSE))]));
    this.#currentKeyId = current.id;
  }

  /** Encrypts and stores a call's WAV, replacing any earlier recording of that call. */
  async save(callSid: string, wav: Buffer): Promise<void> {
    const keyId = Buffer.from(this.#currentKeyId, 'ascii');
    const header = Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, keyId.length]), keyId, randomBytes(IV_BYTES)]);
    const key = this.#keys.get(this.#currentKeyId);
    if (key === undefined) throw new Error('the current data key is missing'); // the constructor put it there
    const cipher = createCipheriv(CIPHER, key, header.subarray(header.length - IV_BYTES), { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(header, callSid));
    const ciphertext = Buffer.concat([cipher.update(wav), cipher.final()]);
    await this.#store.put(objectKey(callSid), Buffer.concat([header, ciphertext, cipher.getAuthTag()]));
  }

  /** The call's WAV, or undefined when it was not recorded (or was erased). Throws DecryptionError when it cannot be read. */
  async load(callSid: string): Promise<Buffer | undefined> {
    const stored = await this.#store.get(objectKey(callSid));
    if (stored === undefined) return undefined;
    const what = `the recording of call ${callSid}`;
    const { header, keyId, ciphertext, tag } = parse(stored, what);
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      throw new DecryptionError(
        'unknown-key',
        `Cannot decrypt ${what}: it was encrypted with data key "${keyId}", which DATA_KEYS no longer lists; keep that key listed while recordings made under it are kept.`,
      );
    }
    const decipher = createDecipheriv(CIPHER, key, header.subarray(header.length - IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(additionalData(header, callSid));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch (error) {
      throw new DecryptionError(
        'authentication',
        `Cannot decrypt ${what}: it failed authentication under data key "${keyId}"; it was altered, belongs to another call, or the key under that id changed.`,
        { cause: error },
      );
    }
  }

  /** Deletes the call's recording (retention, or an applicant's erasure request); false when there was none. */
  erase(callSid: string): Promise<boolean> {
    return this.#store.delete(objectKey(callSid));
  }
}

/** The store's key for a call; the store refuses anything that is not a plain name. */
function objectKey(callSid: string): string {
  return `${callSid}${OBJECT_SUFFIX}`;
}

function additionalData(header: Buffer, callSid: string): Buffer {
  return Buffer.concat([header, Buffer.from(`calls/${callSid}/recording`, 'utf8')]);
}

function parse(stored: Buffer, what: string): { header: Buffer; keyId: string; ciphertext: Buffer; tag: Buffer } {
  const malformed = (detail: string): DecryptionError =>
    new DecryptionError('malformed', `Cannot decrypt ${what}: it is not an encrypted recording (${detail}).`);
  if (stored.length < KEY_ID_AT || !stored.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('no PLRC header');
  if (stored[VERSION_AT] !== FORMAT_VERSION)
    throw malformed(`format version ${stored[VERSION_AT] ?? '?'}, expected ${FORMAT_VERSION}`);
  const keyIdLength = stored[KEY_ID_LENGTH_AT] ?? 0;
  const headerLength = KEY_ID_AT + keyIdLength + IV_BYTES;
  if (stored.length < headerLength + TAG_BYTES) throw malformed('too short');
  const keyId = stored.subarray(KEY_ID_AT, KEY_ID_AT + keyIdLength).toString('ascii');
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed('invalid key id');
  return {
    header: stored.subarray(0, headerLength),
    keyId,
    ciphertext: stored.subarray(headerLength, stored.length - TAG_BYTES),
    tag: stored.subarray(stored.length - TAG_BYTES),
  };
}
