import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/keys/decryption-error.ts';
import { CallRecordings, RECORDING_CHUNK_BYTES, type RecordingAudio } from '../../src/recording/call-recordings.ts';
import { testDataKeys } from '../support/keys.ts';
import { MemoryRecordingStore } from '../support/recording-store.ts';

/**
 * The chunked recording format (version 2, docs/recordings.md): a recording is read by ranges, a chunk at a time,
 * and no byte of a chunk is given out before that chunk is authenticated.
 */

const CALL = `CA${'c'.repeat(32)}`;
const KEY = `${CALL}.wav.enc`;
const IV_AND_TAG = 12 + 16;
// Small chunks in the tamper tests, so a few kilobytes make many chunks.
const SMALL_CHUNK = 1_000;

/** Bytes that differ everywhere, so a chunk served in the wrong place would show. */
function patternWav(bytes: number): Buffer {
  const wav = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) wav.writeUInt32LE(i, i);
  wav.write('RIFF', 0, 'ascii');
  return wav;
}

async function collect(chunks: AsyncIterable<Buffer>, into: Buffer[] = []): Promise<Buffer> {
  for await (const chunk of chunks) into.push(chunk);
  return Buffer.concat(into);
}

async function saved(wav: Buffer, chunkBytes?: number) {
  const store = new MemoryRecordingStore();
  const recordings = new CallRecordings(store, testDataKeys(), chunkBytes);
  await recordings.save(CALL, wav);
  store.reads.length = 0;
  return { store, recordings };
}

async function opened(recordings: CallRecordings): Promise<RecordingAudio> {
  const audio = await recordings.open(CALL);
  if (audio === undefined) throw new Error('no recording');
  return audio;
}

/** Where chunk `index` starts in the stored file (the header is everything before chunk 0). */
function chunkAt(stored: Buffer, wavBytes: number, chunkBytes: number, index: number): number {
  const chunks = Math.ceil(wavBytes / chunkBytes);
  const header = stored.length - wavBytes - chunks * IV_AND_TAG;
  return header + index * (chunkBytes + IV_AND_TAG);
}

const isDecryptionError = (reason: DecryptionError['reason']) => (error: unknown) =>
  error instanceof DecryptionError && error.reason === reason;

describe('a recording stored in chunks', () => {
  it('when a range in the middle of a long recording is read, then the store is read only for that chunk, and the bytes are that range', async () => {
    const wav = patternWav(4 * 1024 * 1024);
    const { store, recordings } = await saved(wav);

    const audio = await opened(recordings);
    const headerReads = store.reads.length;
    const middle = await collect(audio.read(2_000_000, 2_000_999));

    expect(audio.byteLength).toBe(wav.length);
    expect(middle.equals(wav.subarray(2_000_000, 2_001_000))).toBe(true);
    expect(store.reads.slice(headerReads)).toEqual([
      { start: expect.any(Number) as unknown, length: RECORDING_CHUNK_BYTES + IV_AND_TAG },
    ]);
  });

  it('when a whole recording is read, then it comes a chunk at a time and no store read is bigger than one chunk', async () => {
    const wav = patternWav(1024 * 1024 + 123);
    const { store, recordings } = await saved(wav);

    const pieces: Buffer[] = [];
    const whole = await collect((await opened(recordings)).read(0, wav.length - 1), pieces);

    expect(whole.equals(wav)).toBe(true);
    expect(pieces).toHaveLength(Math.ceil(wav.length / RECORDING_CHUNK_BYTES));
    expect(Math.max(...pieces.map((p) => p.length))).toBe(RECORDING_CHUNK_BYTES);
    expect(Math.max(...store.reads.map((r) => r.length))).toBeLessThanOrEqual(RECORDING_CHUNK_BYTES + IV_AND_TAG);
  });

  it('when a recording is saved, then it is version 2 and holds none of the WAV in the clear', async () => {
    const wav = patternWav(10_000);
    const { store } = await saved(wav, SMALL_CHUNK);
    const stored = store.bytes(KEY)!;

    expect(stored.subarray(0, 4).toString('ascii')).toBe('PLRC');
    expect(stored[4]).toBe(2);
    for (const at of [0, 1000, 5000, 9000]) expect(stored.includes(wav.subarray(at, at + 16))).toBe(false);
  });

  it('when a byte of one chunk is altered, then the chunks before it are given out and reading that chunk fails authentication', async () => {
    const wav = patternWav(10_000);
    const { store, recordings } = await saved(wav, SMALL_CHUNK);
    const stored = store.bytes(KEY)!;
    stored[chunkAt(stored, wav.length, SMALL_CHUNK, 3) + 20]! ^= 1;
    await store.put(KEY, [stored]);

    const given: Buffer[] = [];
    const audio = await opened(recordings);
    await expect(collect(audio.read(0, wav.length - 1), given)).rejects.toSatisfy(isDecryptionError('authentication'));
    expect(Buffer.concat(given).equals(wav.subarray(0, 3 * SMALL_CHUNK))).toBe(true);
    expect((await collect(audio.read(4 * SMALL_CHUNK, 5 * SMALL_CHUNK))).length).toBe(SMALL_CHUNK + 1);
  });

  it('when two chunks are swapped, then the first of them fails authentication', async () => {
    const wav = patternWav(10_000);
    const { store, recordings } = await saved(wav, SMALL_CHUNK);
    const stored = store.bytes(KEY)!;
    const one = chunkAt(stored, wav.length, SMALL_CHUNK, 1);
    const two = chunkAt(stored, wav.length, SMALL_CHUNK, 2);
    const chunkOne = Buffer.from(stored.subarray(one, two));
    stored.subarray(two, two + chunkOne.length).copy(stored, one);
    chunkOne.copy(stored, two);
    await store.put(KEY, [stored]);

    const audio = await opened(recordings);
    await expect(collect(audio.read(SMALL_CHUNK, SMALL_CHUNK + 10))).rejects.toSatisfy(
      isDecryptionError('authentication'),
    );
  });

  it('when the file is cut short, mid-chunk or at a chunk boundary, then it is refused before any byte is given out', async () => {
    const wav = patternWav(10_000);
    const { store, recordings } = await saved(wav, SMALL_CHUNK);
    const stored = store.bytes(KEY)!;
    for (const length of [stored.length - 1, chunkAt(stored, wav.length, SMALL_CHUNK, 9), stored.length - 500]) {
      await store.put(KEY, [stored.subarray(0, length)]);
      await expect(recordings.open(CALL), `cut to ${length}`).rejects.toSatisfy(isDecryptionError('malformed'));
    }
  });

  it('when the last chunk is dropped and the header made to match, then the new last chunk fails authentication', async () => {
    const wav = patternWav(10_000);
    const { store, recordings } = await saved(wav, SMALL_CHUNK);
    const stored = store.bytes(KEY)!;
    const cut = Buffer.from(stored.subarray(0, chunkAt(stored, wav.length, SMALL_CHUNK, 9)));
    // The WAV length sits just before the 16-byte recording id at the end of the header.
    const header = chunkAt(stored, wav.length, SMALL_CHUNK, 0);
    cut.writeUIntBE(9 * SMALL_CHUNK, header - 16 - 6, 6);
    await store.put(KEY, [cut]);

    const audio = await opened(recordings);
    expect(audio.byteLength).toBe(9 * SMALL_CHUNK);
    await expect(collect(audio.read(8 * SMALL_CHUNK, 9 * SMALL_CHUNK - 1))).rejects.toSatisfy(
      isDecryptionError('authentication'),
    );
  });

  it('when a chunk of an earlier save of the same call is put in place of one of the new save, then it fails authentication', async () => {
    const wav = patternWav(10_000);
    const { store, recordings } = await saved(wav, SMALL_CHUNK);
    const earlier = store.bytes(KEY)!;
    await recordings.save(CALL, wav);
    const later = store.bytes(KEY)!;
    const at = chunkAt(later, wav.length, SMALL_CHUNK, 2);
    earlier.subarray(at, at + SMALL_CHUNK + IV_AND_TAG).copy(later, at);
    await store.put(KEY, [later]);

    const audio = await opened(recordings);
    await expect(collect(audio.read(2 * SMALL_CHUNK, 2 * SMALL_CHUNK))).rejects.toSatisfy(
      isDecryptionError('authentication'),
    );
  });

  it('when a range outside the recording is asked for, then it is refused', async () => {
    const { recordings } = await saved(patternWav(3_000), SMALL_CHUNK);
    const audio = await opened(recordings);
    for (const [start, end] of [
      [0, 3_000],
      [-1, 10],
      [20, 10],
    ] as const)
      await expect(collect(audio.read(start, end)), `${start}-${end}`).rejects.toThrow(RangeError);
  });
});

describe('a recording stored before chunks (version 1)', () => {
  const FIXTURES = new URL('../fixtures/keys/', import.meta.url);

  it('when a fixture recording is opened and read by a range, then it gives that part of its WAV', async () => {
    const fixtures = JSON.parse(readFileSync(new URL('legacy-keys.json', FIXTURES), 'utf8')) as {
      dataKeys: { current: string; old: string };
      recordings: { callSid: string; file: string; wavFile: string }[];
    };
    const ring = [...testDataKeys(fixtures.dataKeys.current), ...testDataKeys(fixtures.dataKeys.old)];
    for (const fixture of fixtures.recordings) {
      const store = new MemoryRecordingStore();
      await store.put(fixture.file, [readFileSync(new URL(fixture.file, FIXTURES))]);
      const wav = readFileSync(new URL(fixture.wavFile, FIXTURES));

      const audio = await new CallRecordings(store, ring).open(fixture.callSid);

      expect(audio?.byteLength).toBe(wav.length);
      expect((await collect(audio!.read(44, 99))).equals(wav.subarray(44, 100))).toBe(true);
    }
  });
});
