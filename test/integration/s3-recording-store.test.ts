import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/keys/decryption-error.ts';
import { CallRecordings, RECORDING_CHUNK_BYTES } from '../../src/recording/call-recordings.ts';
import { InvalidRecordingKeyError } from '../../src/recording/recording-store.ts';
import { MIN_PART_BYTES, S3RecordingStore } from '../../src/recording/s3-recording-store.ts';
import { testDataKeys } from '../support/keys.ts';
import { newCallSid } from '../support/media-socket.ts';
import { startS3Server, type SentRequest, type TestS3Server } from '../support/s3.ts';

/**
 * The S3 adapter of the recording store against a real S3-compatible server (s3rver) on loopback: the same
 * contract as the local directory's (test/unit/call-recordings.test.ts), a multipart upload, ranged reads, and
 * CallRecordings over it.
 */

let s3: TestS3Server;

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3.close();
});

/** Bytes that differ everywhere, so a misplaced range would show. */
function pattern(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) out.writeUInt32LE(i, i);
  return out;
}

function* slices(bytes: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function objectBytes(key: string): Promise<Buffer> {
  const got = await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('S3RecordingStore', () => {
  it('when a key is stored twice, then the second replaces the first, and size and ranges read it', async () => {
    const store = s3.store();
    await store.put('one.bin', [Buffer.from('first')]);
    await store.put('one.bin', [Buffer.from('sec'), Buffer.from('ond')]);

    expect(await store.read('one.bin', 0, 100)).toEqual(Buffer.from('second'));
    expect(await store.read('one.bin', 2, 3)).toEqual(Buffer.from('con'));
    expect(await store.read('one.bin', 6, 4)).toEqual(Buffer.alloc(0));
    expect(await store.read('one.bin', 3, 0)).toEqual(Buffer.alloc(0));
    expect(await store.size('one.bin')).toBe(6);
  });

  it('when a key is not there, then size and read give undefined and delete says there was nothing', async () => {
    const store = s3.store();
    expect(await store.size('none.bin')).toBeUndefined();
    expect(await store.read('none.bin', 0, 10)).toBeUndefined();
    expect(await store.read('none.bin', 0, 0)).toBeUndefined();
    expect(await store.delete('none.bin')).toBe(false);

    await store.put('gone.bin', [Buffer.from('x')]);
    expect(await store.delete('gone.bin')).toBe(true);
    expect(await store.size('gone.bin')).toBeUndefined();
    expect(await store.delete('gone.bin')).toBe(false);
  });

  it('when a prefix is set, then objects are stored under it and read back through it', async () => {
    const store = s3.store('permitline/recordings/');
    await store.put('prefixed.bin', [Buffer.from('under the prefix')]);

    expect((await objectBytes('permitline/recordings/prefixed.bin')).toString()).toBe('under the prefix');
    expect(await s3.store().size('prefixed.bin')).toBeUndefined();
    expect(await store.size('prefixed.bin')).toBe(16);
    expect(() => new S3RecordingStore({ client: s3.client(), bucket: s3.bucket, prefix: '../up/' })).toThrow(/prefix/);
  });

  it('when more than one part is put, then it goes up as a multipart upload and reads back across the part boundary', async () => {
    const sent: SentRequest[] = [];
    const store = s3.store(undefined, sent);
    const bytes = pattern(2 * MIN_PART_BYTES + 12_345);
    await store.put('long.bin', slices(bytes, RECORDING_CHUNK_BYTES + 28));

    // Never more than a part in one request: the recording is not gathered whole first.
    expect(sent).toEqual([
      { command: 'CreateMultipartUploadCommand', bodyBytes: undefined },
      { command: 'UploadPartCommand', bodyBytes: MIN_PART_BYTES },
      { command: 'UploadPartCommand', bodyBytes: MIN_PART_BYTES },
      { command: 'UploadPartCommand', bodyBytes: 12_345 },
      { command: 'CompleteMultipartUploadCommand', bodyBytes: undefined },
    ]);
    expect(await store.size('long.bin')).toBe(bytes.length);
    const across = await store.read('long.bin', MIN_PART_BYTES - 100, 200);
    expect(across).toEqual(bytes.subarray(MIN_PART_BYTES - 100, MIN_PART_BYTES + 100));
    const tail = await store.read('long.bin', bytes.length - 10, 50);
    expect(tail).toEqual(bytes.subarray(bytes.length - 10));
    expect((await objectBytes('long.bin')).equals(bytes)).toBe(true);
  });

  it('when an object is smaller than a part, then it goes up in one request', async () => {
    const sent: SentRequest[] = [];
    await s3.store(undefined, sent).put('short.bin', [Buffer.from('a'), Buffer.from('b')]);

    expect(sent).toEqual([{ command: 'PutObjectCommand', bodyBytes: 2 }]);
  });

  it('when the parts fail partway through a multipart upload, then the upload is aborted and the object already there is unchanged', async () => {
    const sent: SentRequest[] = [];
    const store = s3.store(undefined, sent);
    await store.put('kept.bin', [Buffer.from('the earlier save')]);
    async function* failing(): AsyncGenerator<Buffer> {
      yield await Promise.resolve(pattern(MIN_PART_BYTES + 1));
      throw new Error('the recording could not be read out');
    }

    await expect(store.put('kept.bin', failing())).rejects.toThrow('could not be read out');
    expect(sent.map((request) => request.command).slice(-3)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'AbortMultipartUploadCommand',
    ]);
    expect(await store.read('kept.bin', 0, 100)).toEqual(Buffer.from('the earlier save'));
  });

  it('when a key could reach outside the prefix, then it is refused before any request', async () => {
    const store = s3.store('p/');
    for (const key of ['../escaped', 'a/b', '.hidden', '']) {
      await expect(store.put(key, [Buffer.from('x')])).rejects.toThrow(InvalidRecordingKeyError);
      await expect(store.size(key)).rejects.toThrow(InvalidRecordingKeyError);
      await expect(store.read(key, 0, 1)).rejects.toThrow(InvalidRecordingKeyError);
      await expect(store.delete(key)).rejects.toThrow(InvalidRecordingKeyError);
    }
  });

  // HeadObject's 404 has no body to tell a missing bucket from a missing object, so size() cannot; these can.
  it('when the bucket does not exist, then reads and writes fail rather than saying there is no recording', async () => {
    const store = new S3RecordingStore({ client: s3.client(), bucket: 'no-such-bucket' });
    await expect(store.read('x.bin', 0, 1)).rejects.toThrow(/did not .*NoSuchBucket/);
    await expect(store.put('x.bin', [Buffer.from('x')])).rejects.toThrow(/did not .*NoSuchBucket/);
  });
});

describe('CallRecordings over the S3 store', () => {
  const recordings = (): CallRecordings => new CallRecordings(s3.store('calls/'), testDataKeys());

  it('when a long recording is saved, then it loads back whole, a range in its middle reads back, and the object holds no audio in the clear', async () => {
    const callSid = newCallSid();
    const wav = pattern(3 * 1024 * 1024 * 2 + 77);
    wav.write('RIFF', 0, 'ascii');
    await recordings().save(callSid, wav);

    expect((await recordings().load(callSid))?.equals(wav)).toBe(true);
    const audio = await recordings().open(callSid);
    const chunks: Buffer[] = [];
    for await (const chunk of audio!.read(2_000_000, 2_099_999)) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(wav.subarray(2_000_000, 2_100_000))).toBe(true);
    const stored = await objectBytes(`calls/${callSid}.wav.enc`);
    expect(stored.subarray(0, 4).toString('ascii')).toBe('PLRC');
    for (const at of [44, 100_000, wav.length - 32]) expect(stored.includes(wav.subarray(at, at + 32))).toBe(false);
  });

  it('when an object is copied to another call, then it fails to decrypt; erased, it is gone', async () => {
    const [first, second] = [newCallSid(), newCallSid()];
    await recordings().save(first, pattern(100_000));
    await s3.client().send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `calls/${second}.wav.enc`,
        Body: await objectBytes(`calls/${first}.wav.enc`),
      }),
    );

    await expect(recordings().load(second)).rejects.toSatisfy(
      (error) => error instanceof DecryptionError && error.reason === 'authentication',
    );
    expect(await recordings().erase(first)).toBe(true);
    expect(await recordings().load(first)).toBeUndefined();
    expect(await recordings().erase(first)).toBe(false);
  });
});
