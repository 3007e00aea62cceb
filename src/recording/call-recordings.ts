import { randomBytes } from 'node:crypto';
import { AesGcmEnvelope, IV_BYTES, TAG_BYTES, type SealedEnvelope } from '../keys/aes-gcm-envelope.ts';
import { KEY_ID_PATTERN, type DataKey } from '../keys/data-keys.ts';
import { DecryptionError } from '../keys/decryption-error.ts';
import type { RecordingStore } from './recording-store.ts';
import type { WavBytes } from './stereo-recording.ts';

/**
 * Call recordings at rest: each WAV is encrypted with AES-256-GCM before it
 * reaches the store, and decrypted only when staff play it, a chunk at a
 * time. docs/recordings.md ("Encryption at rest") describes both formats.
 *
 * Version 2 (written now): the WAV sealed in fixed-size chunks, each its own
 * AES-GCM envelope, so a range can be read and played without decrypting, or
 * holding, the whole file, and no byte is given out before its chunk's tag is
 * checked.
 *
 *   "PLRC"        4 bytes, so a stray file is recognisable (and never "RIFF")
 *   version       1 byte, 2
 *   keyIdLength   1 byte, n
 *   keyId         n bytes ASCII: the DATA_KEYS id whose subkey encrypted it
 *   chunkBytes    4 bytes, big-endian: plaintext bytes in every chunk but the last
 *   wavBytes      6 bytes, big-endian: the WAV's length
 *   recordingId   16 random bytes: this save, so chunks of two saves of one call never mix
 *   then, for each chunk i of ceil(wavBytes / chunkBytes):
 *   iv | ciphertext | tag   12 random bytes, the chunk (chunkBytes, the last one shorter), 16 bytes
 *
 * Chunk i's additional data is the header (magic to recordingId), then
 * `calls/<CallSid>/recording`, then i (4 bytes, big-endian) and a last-chunk
 * flag (1 byte): a chunk moved, dropped, repeated, taken from another call or
 * another save, or a file cut at a chunk boundary, fails authentication.
 *
 * Version 1 (read only, recordings saved before): one envelope over the whole
 * WAV, `"PLRC" | 1 | keyIdLength | keyId | iv | ciphertext | tag`, with the
 * header and `calls/<CallSid>/recording` as additional data. GCM checks its
 * tag only at the end, so it is read and authenticated whole before any byte
 * is given out.
 *
 * The key is derived from the data key under its own HKDF label, so
 * recordings never share a key with field encryption, lookup hashes or
 * tokens. New recordings use the first DATA_KEYS entry; any entry still
 * listed can read old ones.
 */

const MAGIC = Buffer.from('PLRC', 'ascii');
const LEGACY_FORMAT = 1;
const CHUNKED_FORMAT = 2;
const KEY_PURPOSE = 'permitline recordings v1';
const OBJECT_SUFFIX = '.wav.enc';
const VERSION_AT = MAGIC.length;
const KEY_ID_LENGTH_AT = VERSION_AT + 1;
const KEY_ID_AT = KEY_ID_LENGTH_AT + 1;
const MAX_KEY_ID_BYTES = 255;
const CHUNK_BYTES_FIELD = 4;
const WAV_BYTES_FIELD = 6;
const RECORDING_ID_BYTES = 16;
const INDEX_FIELD = 4;
const CHUNK_OVERHEAD = IV_BYTES + TAG_BYTES;
const MAX_CHUNKED_HEADER_BYTES =
  KEY_ID_AT + MAX_KEY_ID_BYTES + CHUNK_BYTES_FIELD + WAV_BYTES_FIELD + RECORDING_ID_BYTES;
/**
 * 64 KiB of WAV, 2 s of stereo call audio: a range read decrypts at most two chunks it does not send, and the
 * 28 bytes each chunk adds cost 0.04%. A 30-minute recording is about 880 chunks, so even with random IVs a data
 * key seals billions of chunks (NIST SP 800-38D: 2^32 per key) long before it would be rotated.
 */
export const RECORDING_CHUNK_BYTES = 64 * 1024;

/** A stored recording, readable by ranges. */
export interface RecordingAudio {
  /** The WAV's length in bytes. */
  readonly byteLength: number;
  /**
   * The WAV's bytes from `start` to `end` inclusive, a chunk at a time. Each chunk is authenticated before any of
   * it is given out; a chunk that fails throws DecryptionError when it is reached.
   */
  read(start: number, end: number): AsyncIterable<Buffer>;
}

interface ChunkedHeader {
  /** Magic to recordingId: in every chunk's additional data. */
  readonly bytes: Buffer;
  readonly keyId: string;
  readonly chunkBytes: number;
  readonly wavBytes: number;
}

export class CallRecordings {
  readonly #store: RecordingStore;
  readonly #envelope: AesGcmEnvelope;
  readonly #chunkBytes: number;

  /** `chunkBytes`: plaintext per chunk for new recordings (tests make it small); reading takes it from each file. */
  constructor(store: RecordingStore, dataKeys: readonly DataKey[], chunkBytes = RECORDING_CHUNK_BYTES) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes >= 2 ** (8 * CHUNK_BYTES_FIELD))
      throw new RangeError(`a recording chunk must be 1 byte to 4 GiB, not ${chunkBytes}`);
    this.#store = store;
    this.#chunkBytes = chunkBytes;
    this.#envelope = new AesGcmEnvelope(dataKeys, {
      owner: 'CallRecordings',
      purpose: KEY_PURPOSE,
      missingKeyAdvice: 'keep that key listed while recordings made under it are kept.',
      misplacedAs: 'belongs to another call or another place in the recording',
    });
  }

  /**
   * Encrypts and stores a call's WAV (whole, or read out in slices), replacing any earlier recording of that call.
   * Chunks are sealed and written one at a time.
   */
  async save(callSid: string, wav: Buffer | WavBytes): Promise<void> {
    const source: WavBytes = Buffer.isBuffer(wav)
      ? { byteLength: wav.length, bytes: (start, end) => wav.subarray(start, end) }
      : wav;
    if (source.byteLength === 0 || source.byteLength >= 2 ** (8 * WAV_BYTES_FIELD))
      throw new RangeError(`a recording must hold 1 byte to 256 TiB of WAV, not ${source.byteLength}`);
    const header = chunkedHeader(this.#envelope.currentKeyId, this.#chunkBytes, source.byteLength);
    await this.#store.put(objectKey(callSid), this.#sealed(callSid, header, source));
  }

  *#sealed(callSid: string, header: ChunkedHeader, source: WavBytes): Generator<Buffer> {
    yield header.bytes;
    const count = chunkCount(header);
    for (let index = 0; index < count; index += 1) {
      const start = index * header.chunkBytes;
      const plaintext = source.bytes(start, Math.min(start + header.chunkBytes, header.wavBytes));
      const { iv, ciphertext, tag } = this.#envelope.seal(plaintext, chunkData(header, callSid, index, count));
      yield Buffer.concat([iv, ciphertext, tag]);
    }
  }

  /**
   * The call's recording, to read by ranges, or undefined when it was not recorded (or was erased). Throws
   * DecryptionError when the stored object is not a recording or is cut short; a chunk that fails authentication
   * throws when it is read.
   */
  async open(callSid: string): Promise<RecordingAudio | undefined> {
    const key = objectKey(callSid);
    const size = await this.#store.size(key);
    if (size === undefined) return undefined;
    const what = `the recording of call ${callSid}`;
    const head = await this.#store.read(key, 0, Math.min(size, MAX_CHUNKED_HEADER_BYTES));
    if (head === undefined) return undefined; // erased between the two reads
    if (head.length < KEY_ID_AT || !head.subarray(0, MAGIC.length).equals(MAGIC))
      throw malformed(what, 'no PLRC header');
    switch (head[VERSION_AT]) {
      case LEGACY_FORMAT:
        return this.#openLegacy(key, size, callSid, what);
      case CHUNKED_FORMAT:
        return this.#openChunked(key, size, parseChunkedHeader(head, what), callSid, what);
      default:
        throw malformed(
          what,
          `format version ${head[VERSION_AT] ?? '?'}, expected ${LEGACY_FORMAT} or ${CHUNKED_FORMAT}`,
        );
    }
  }

  /**
   * The call's whole WAV, or undefined when it was not recorded (or was erased); for tests and tools. Staff
   * playback reads ranges from open() instead. Throws DecryptionError when it cannot be read.
   */
  async load(callSid: string): Promise<Buffer | undefined> {
    const audio = await this.open(callSid);
    if (audio === undefined) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of audio.read(0, audio.byteLength - 1)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** Deletes the call's recording (retention, or an applicant's erasure request); false when there was none. */
  erase(callSid: string): Promise<boolean> {
    return this.#store.delete(objectKey(callSid));
  }

  #openChunked(key: string, size: number, header: ChunkedHeader, callSid: string, what: string): RecordingAudio {
    const count = chunkCount(header);
    const expected = header.bytes.length + header.wavBytes + count * CHUNK_OVERHEAD;
    // Checked before anything is sent, so a cut-off file is refused whole rather than served up to the cut.
    if (size !== expected)
      throw malformed(what, `${size} bytes where its header says ${expected}: cut short or added to`);
    const store = this.#store;
    const envelope = this.#envelope;
    const { chunkBytes, wavBytes } = header;
    const chunkAt = (index: number): { at: number; length: number } => ({
      at: header.bytes.length + index * (chunkBytes + CHUNK_OVERHEAD),
      length: Math.min(chunkBytes, wavBytes - index * chunkBytes) + CHUNK_OVERHEAD,
    });
    return {
      byteLength: wavBytes,
      async *read(start, end) {
        requireRange(start, end, wavBytes);
        for (let index = Math.floor(start / chunkBytes); index <= Math.floor(end / chunkBytes); index += 1) {
          const { at, length } = chunkAt(index);
          const stored = await store.read(key, at, length);
          if (stored?.length !== length) throw malformed(what, `chunk ${index} is cut short`);
          const plaintext = envelope.open(
            envelopeOf(header.keyId, stored),
            chunkData(header, callSid, index, count),
            `${what} (chunk ${index})`,
          );
          const from = index * chunkBytes;
          yield plaintext.subarray(Math.max(0, start - from), Math.min(plaintext.length, end + 1 - from));
        }
      },
    };
  }

  /** Version 1 is authenticated only at its end: read and checked whole, then served from memory. */
  async #openLegacy(key: string, size: number, callSid: string, what: string): Promise<RecordingAudio | undefined> {
    const stored = await this.#store.read(key, 0, size);
    if (stored === undefined) return undefined;
    const recording = parseLegacy(stored, what);
    const wav = this.#envelope.open(recording, legacyData(recording.header, callSid), what);
    return {
      byteLength: wav.length,
      // eslint-disable-next-line @typescript-eslint/require-await -- the same interface as a chunked recording's
      async *read(start, end) {
        requireRange(start, end, wav.length);
        yield wav.subarray(start, end + 1);
      },
    };
  }
}

/** The store's key for a call; the store refuses anything that is not a plain name. */
function objectKey(callSid: string): string {
  return `${callSid}${OBJECT_SUFFIX}`;
}

function malformed(what: string, detail: string): DecryptionError {
  return new DecryptionError('malformed', `Cannot decrypt ${what}: it is not an encrypted recording (${detail}).`);
}

function requireRange(start: number, end: number, byteLength: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= byteLength)
    throw new RangeError(`bytes ${start}-${end} are not within a recording of ${byteLength} bytes`);
}

function chunkCount(header: ChunkedHeader): number {
  return Math.ceil(header.wavBytes / header.chunkBytes);
}

function chunkedHeader(keyId: string, chunkBytes: number, wavBytes: number): ChunkedHeader {
  const keyIdBytes = Buffer.from(keyId, 'ascii');
  const sizes = Buffer.alloc(CHUNK_BYTES_FIELD + WAV_BYTES_FIELD);
  sizes.writeUInt32BE(chunkBytes, 0);
  sizes.writeUIntBE(wavBytes, CHUNK_BYTES_FIELD, WAV_BYTES_FIELD);
  const bytes = Buffer.concat([
    MAGIC,
    Buffer.from([CHUNKED_FORMAT, keyIdBytes.length]),
    keyIdBytes,
    sizes,
    randomBytes(RECORDING_ID_BYTES),
  ]);
  return { bytes, keyId, chunkBytes, wavBytes };
}

function parseChunkedHeader(head: Buffer, what: string): ChunkedHeader {
  const keyIdLength = head[KEY_ID_LENGTH_AT] ?? 0;
  const sizesAt = KEY_ID_AT + keyIdLength;
  const headerLength = sizesAt + CHUNK_BYTES_FIELD + WAV_BYTES_FIELD + RECORDING_ID_BYTES;
  if (head.length < headerLength) throw malformed(what, 'too short');
  const keyId = head.subarray(KEY_ID_AT, sizesAt).toString('ascii');
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed(what, 'invalid key id');
  const chunkBytes = head.readUInt32BE(sizesAt);
  const wavBytes = head.readUIntBE(sizesAt + CHUNK_BYTES_FIELD, WAV_BYTES_FIELD);
  if (chunkBytes === 0 || wavBytes === 0) throw malformed(what, 'no chunks');
  return { bytes: Buffer.from(head.subarray(0, headerLength)), keyId, chunkBytes, wavBytes };
}

/** A chunk's place: its header, its call, its index and whether it is the last. */
function chunkData(header: ChunkedHeader, callSid: string, index: number, count: number): Buffer {
  const place = Buffer.alloc(INDEX_FIELD + 1);
  place.writeUInt32BE(index, 0);
  place[INDEX_FIELD] = index === count - 1 ? 1 : 0;
  return Buffer.concat([header.bytes, Buffer.from(`calls/${callSid}/recording`, 'utf8'), place]);
}

function envelopeOf(keyId: string, stored: Buffer): SealedEnvelope {
  return {
    keyId,
    iv: stored.subarray(0, IV_BYTES),
    ciphertext: stored.subarray(IV_BYTES, stored.length - TAG_BYTES),
    tag: stored.subarray(stored.length - TAG_BYTES),
  };
}

interface LegacyRecording extends SealedEnvelope {
  /** Magic to IV: authenticated with the audio, so an edited header does not decrypt. */
  readonly header: Buffer;
}

function legacyData(header: Buffer, callSid: string): Buffer {
  return Buffer.concat([header, Buffer.from(`calls/${callSid}/recording`, 'utf8')]);
}

function parseLegacy(stored: Buffer, what: string): LegacyRecording {
  const keyIdLength = stored[KEY_ID_LENGTH_AT] ?? 0;
  const ivAt = KEY_ID_AT + keyIdLength;
  const headerLength = ivAt + IV_BYTES;
  if (stored.length < headerLength + TAG_BYTES) throw malformed(what, 'too short');
  const keyId = stored.subarray(KEY_ID_AT, ivAt).toString('ascii');
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed(what, 'invalid key id');
  return {
    header: stored.subarray(0, headerLength),
    keyId,
    iv: stored.subarray(ivAt, headerLength),
    ciphertext: stored.subarray(headerLength, stored.length - TAG_BYTES),
    tag: stored.subarray(stored.length - TAG_BYTES),
  };
}
