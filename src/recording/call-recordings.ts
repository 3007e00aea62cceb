import { AesGcmEnvelope, IV_BYTES, TAG_BYTES, type SealedEnvelope } from '../keys/aes-gcm-envelope.ts';
import { KEY_ID_PATTERN, type DataKey } from '../keys/data-keys.ts';
import { DecryptionError } from '../keys/decryption-error.ts';
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
const KEY_PURPOSE = 'permitline recordings v1';
const OBJECT_SUFFIX = '.wav.enc';
const VERSION_AT = MAGIC.length;
const KEY_ID_LENGTH_AT = VERSION_AT + 1;
const KEY_ID_AT = KEY_ID_LENGTH_AT + 1;

interface StoredRecording extends SealedEnvelope {
  /** Magic to IV: authenticated with the audio, so an edited header does not decrypt. */
  readonly header: Buffer;
}

export class CallRecordings {
  readonly #store: RecordingStore;
  readonly #envelope: AesGcmEnvelope;

  constructor(store: RecordingStore, dataKeys: readonly DataKey[]) {
    this.#store = store;
    this.#envelope = new AesGcmEnvelope(dataKeys, {
      owner: 'CallRecordings',
      purpose: KEY_PURPOSE,
      missingKeyAdvice: 'keep that key listed while recordings made under it are kept.',
      misplacedAs: 'belongs to another call',
    });
  }

  /** Encrypts and stores a call's WAV, replacing any earlier recording of that call. */
  async save(callSid: string, wav: Buffer): Promise<void> {
    const { keyId, iv, ciphertext, tag } = this.#envelope.seal(wav, (sealing) =>
      additionalData(headerFor(sealing.keyId, sealing.iv), callSid),
    );
    await this.#store.put(objectKey(callSid), Buffer.concat([headerFor(keyId, iv), ciphertext, tag]));
  }

  /** The call's WAV, or undefined when it was not recorded (or was erased). Throws DecryptionError when it cannot be read. */
  async load(callSid: string): Promise<Buffer | undefined> {
    const stored = await this.#store.get(objectKey(callSid));
    if (stored === undefined) return undefined;
    const what = `the recording of call ${callSid}`;
    const recording = parse(stored, what);
    return this.#envelope.open(recording, additionalData(recording.header, callSid), what);
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

function headerFor(keyId: string, iv: Buffer): Buffer {
  const keyIdBytes = Buffer.from(keyId, 'ascii');
  return Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, keyIdBytes.length]), keyIdBytes, iv]);
}

function additionalData(header: Buffer, callSid: string): Buffer {
  return Buffer.concat([header, Buffer.from(`calls/${callSid}/recording`, 'utf8')]);
}

function parse(stored: Buffer, what: string): StoredRecording {
  const malformed = (detail: string): DecryptionError =>
    new DecryptionError('malformed', `Cannot decrypt ${what}: it is not an encrypted recording (${detail}).`);
  if (stored.length < KEY_ID_AT || !stored.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('no PLRC header');
  if (stored[VERSION_AT] !== FORMAT_VERSION)
    throw malformed(`format version ${stored[VERSION_AT] ?? '?'}, expected ${FORMAT_VERSION}`);
  const keyIdLength = stored[KEY_ID_LENGTH_AT] ?? 0;
  const ivAt = KEY_ID_AT + keyIdLength;
  const headerLength = ivAt + IV_BYTES;
  if (stored.length < headerLength + TAG_BYTES) throw malformed('too short');
  const keyId = stored.subarray(KEY_ID_AT, ivAt).toString('ascii');
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed('invalid key id');
  return {
    header: stored.subarray(0, headerLength),
    keyId,
    iv: stored.subarray(ivAt, headerLength),
    ciphertext: stored.subarray(headerLength, stored.length - TAG_BYTES),
    tag: stored.subarray(stored.length - TAG_BYTES),
  };
}
