import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { AppError, DependencyError } from '../errors.ts';
import { requireRecordingKey, type RecordingStore } from './recording-store.ts';

/**
 * The RecordingStore port over an S3-compatible bucket (docs/recordings.md, "Where recordings are stored"), so
 * that every instance of a cluster reads the recordings any of them made. It sees only ciphertext: CallRecordings
 * seals before it puts.
 *
 * `put` sends the parts as a multipart upload, a part at a time, so a long call is held in memory one part at a
 * time, never whole; an object smaller than one part goes up as a single PutObject. S3 makes an object visible
 * only when its upload completes, so readers never see part of one; an upload that fails is aborted, so no
 * unfinished parts are left to be billed.
 */

/** S3 refuses parts under 5 MiB, except the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
// S3 takes at most 10,000 parts: at 5 MiB that is 48 GiB, far above the longest recording kept (RECORDING_MAX_MS).
const MAX_PARTS = 10_000;
// A prefix segment: never '.' or '..' (no leading dot), so a prefix cannot read as a path step.
const PREFIX_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export interface S3RecordingStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Put before every key, e.g. `permitline/recordings/`: empty, or segments each ending in `/`. */
  readonly prefix?: string;
  /** Bytes per multipart part (all but the last), at least 5 MiB. */
  readonly partBytes?: number;
}

/** The bucket answered with something the store cannot use (not a missing object: that is undefined). */
export class RecordingBucketError extends AppError {}

export interface S3ClientSettings {
  readonly region: string;
  /** An S3-compatible server (MinIO, R2, s3rver in tests): addressed path-style. Undefined for AWS itself. */
  readonly endpoint: string | undefined;
  /** Bound on connecting, and on each request and its response. */
  readonly timeoutMs: number;
  /** Tries of each request, the first included, with the SDK's backoff between them. */
  readonly maxAttempts: number;
}

/**
 * A client for the recordings bucket. Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, a shared profile, or the task role in production), so no secret passes through our config.
 */
export function s3RecordingClient(settings: S3ClientSettings): S3Client {
  const compatible = settings.endpoint !== undefined;
  return new S3Client({
    region: settings.region,
    ...(compatible ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: settings.timeoutMs,
    },
    // Many S3-compatible servers do not know the newer default checksums; the bytes are authenticated by AES-GCM
    // when they are read back anyway (docs/recordings.md, "Encryption at rest").
    ...(compatible ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
}

export class S3RecordingStore implements RecordingStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partBytes: number;

  constructor(options: S3RecordingStoreOptions) {
    const prefix = options.prefix ?? '';
    if (options.bucket.trim() === '') throw new TypeError('S3RecordingStore needs a bucket');
    if (
      prefix !== '' &&
      !(
        prefix.endsWith('/') &&
        prefix
          .slice(0, -1)
          .split('/')
          .every((s) => PREFIX_SEGMENT.test(s))
      )
    )
      throw new TypeError(`S3RecordingStore prefix "${prefix}" must be empty or path segments each ending in "/"`);
    const partBytes = options.partBytes ?? MIN_PART_BYTES;
    if (!Number.isSafeInteger(partBytes) || partBytes < MIN_PART_BYTES)
      throw new RangeError(`multipart parts must be at least ${MIN_PART_BYTES} bytes, not ${partBytes}`);
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix;
    this.#partBytes = partBytes;
  }

  async put(key: string, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const Key = this.#objectKey(key);
    const Bucket = this.#bucket;
    // Pieces gathered for the next part: grown as they come, so a short recording never costs a whole part.
    let pending: Buffer[] = [];
    let filled = 0;
    let uploadId: string | undefined;
    const completed: CompletedPart[] = [];
    const sendPart = async (body: Buffer): Promise<void> => {
      if (uploadId === undefined) {
        const created = await bucket(
          'start an upload',
          this.#client.send(new CreateMultipartUploadCommand({ Bucket, Key })),
        );
        if (created.UploadId === undefined)
          throw new RecordingBucketError('the bucket started an upload without an id');
        uploadId = created.UploadId;
      }
      const PartNumber = completed.length + 1;
      if (PartNumber > MAX_PARTS) throw new RangeError(`a recording of more than ${MAX_PARTS} parts cannot be stored`);
      const sent = await bucket(
        'take a part',
        this.#client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body })),
      );
      completed.push({ PartNumber, ETag: sent.ETag });
    };
    try {
      for await (const piece of parts) {
        // Copied: the caller may reuse its buffer once the next piece is asked for.
        pending.push(Buffer.from(piece));
        filled += piece.length;
        while (filled >= this.#partBytes) {
          const gathered = Buffer.concat(pending, filled);
          await sendPart(gathered.subarray(0, this.#partBytes));
          // The rest copied out, so the part just sent can be freed.
          pending = filled > this.#partBytes ? [Buffer.from(gathered.subarray(this.#partBytes))] : [];
          filled -= this.#partBytes;
        }
      }
      const rest = Buffer.concat(pending, filled);
      if (uploadId === undefined) {
        await bucket('take a recording', this.#client.send(new PutObjectCommand({ Bucket, Key, Body: rest })));
        return;
      }
      if (filled > 0) await sendPart(rest);
      await bucket(
        'complete an upload',
        this.#client.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            MultipartUpload: { Parts: completed },
          }),
        ),
      );
    } catch (error) {
      if (uploadId !== undefined) await this.#abort(Key, uploadId);
      throw error;
    }
  }

  async size(key: string): Promise<number | undefined> {
    const Key = this.#objectKey(key);
    try {
      const head = await bucket(
        'say whether it has a recording',
        this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key })),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(key: string, start: number, length: number): Promise<Buffer | undefined> {
    const Key = this.#objectKey(key);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0)
      throw new RangeError(`cannot read ${length} bytes at ${start} of a recording`);
    // S3 has no empty range: whether the object is there is all there is to say.
    if (length === 0) return (await this.size(key)) === undefined ? undefined : Buffer.alloc(0);
    let response;
    try {
      response = await bucket(
        'send part of a recording',
        this.#client.send(
          new GetObjectCommand({ Bucket: this.#bucket, Key, Range: `bytes=${start}-${start + length - 1}` }),
        ),
      );
    } catch (error) {
      if (isMissing(error)) return undefined;
      // A range that starts at or past the end: the object is there, with nothing at that place.
      if (statusOf(error) === 416) return Buffer.alloc(0);
      throw error;
    }
    // A server that ignored the range would send the object from its first byte: refused rather than misplaced.
    if (response.ContentRange === undefined ? start !== 0 : !response.ContentRange.startsWith(`bytes ${start}-`))
      throw new RecordingBucketError(
        `the bucket answered a read at byte ${start} with ${response.ContentRange ?? 'the whole object'}`,
      );
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    // The body is streamed into one buffer of the range's length: a connection lost midway fails like a request.
    return bucket('finish sending part of a recording', collect(body, length));
  }

  /**
   * S3's DeleteObject succeeds whether or not the object was there, so a HeadObject first tells whether there was
   * something to erase (the retention job counts what it erased). Between the two another instance may delete it
   * too; both then say true, and the object is gone either way.
   */
  async delete(key: string): Promise<boolean> {
    if ((await this.size(key)) === undefined) return false;
    await bucket(
      'erase a recording',
      this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) })),
    );
    return true;
  }

  #objectKey(key: string): string {
    return `${this.#prefix}${requireRecordingKey(key)}`;
  }

  /** Best effort: the upload's own error is the one to report; a bucket lifecycle rule clears what this misses. */
  async #abort(Key: string, UploadId: string): Promise<void> {
    try {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId }));
    } catch {
      // The upload's failure is rethrown by the caller; this one would only hide it.
    }
  }
}

async function collect(body: AsyncIterable<Uint8Array> | undefined, length: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(length);
  let filled = 0;
  if (body !== undefined)
    for await (const piece of body) {
      const taken = Math.min(piece.length, length - filled);
      bytes.set(piece.subarray(0, taken), filled);
      filled += taken;
    }
  return filled === length ? bytes : bytes.subarray(0, filled);
}

/**
 * The bucket's failures as a DependencyError (answered 502, "try again"), with what was asked of it; a missing
 * object (404) and a range past the end (416) pass through unchanged, for the caller to turn into answers.
 */
async function bucket<T>(what: string, request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (isMissing(error) || statusOf(error) === 416 || !(error instanceof Error)) throw error;
    const upstreamStatus = statusOf(error);
    throw new DependencyError(`the recordings bucket did not ${what}: ${error.name}: ${error.message}`, {
      upstreamStatus,
      cause: error,
    });
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    // A missing bucket is a setting to fix, not a recording that is not there.
    error.name !== 'NoSuchBucket' &&
    (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404)
  );
}
