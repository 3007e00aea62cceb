import type { Logger } from 'pino';
import type { LocalDirectoryRecordingStore, RecordingStore } from './recording-store.ts';

/**
 * A remote store (the S3 bucket) with a local spool in front, so a call that ends while the bucket is down keeps
 * its recording. Every recording is written to the spool first (ciphertext, fsynced, as the local store writes),
 * then uploaded from there; once the bucket has it, the spool copy is removed. An upload that fails leaves the
 * file in the spool and `put` still succeeds: the call row may say it has a recording, because it does. The spool
 * is tried again every `retryMs` and at the next start (docs/recordings.md, "When the bucket is down").
 *
 * Reads look in the spool first, since a spooled copy is newer than anything of that key in the bucket: on the
 * instance that holds it a pending recording plays; on the others it is not found until it is uploaded.
 */

/** Read from the spool in slices this big while uploading: one multipart part's worth is held at a time anyway. */
const UPLOAD_SLICE_BYTES = 1024 * 1024;

export interface SpooledRecordingStoreOptions {
  readonly remote: RecordingStore;
  /** A directory of this instance's, for recordings not yet in the bucket. */
  readonly spool: LocalDirectoryRecordingStore;
  /** How often recordings left in the spool are tried again. */
  readonly retryMs: number;
  readonly logger: Logger;
}

export interface SpoolSweep {
  readonly uploaded: number;
  /** Still in the spool: the bucket refused one, and the rest wait for the next try. */
  readonly pending: number;
}

export class SpooledRecordingStore implements RecordingStore {
  readonly #remote: RecordingStore;
  readonly #spool: LocalDirectoryRecordingStore;
  readonly #retryMs: number;
  readonly #logger: Logger;
  // One operation at a time per key, so an upload from the spool never lands after a newer save or an erasure.
  readonly #locks = new Map<string, Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #sweep: Promise<SpoolSweep> | undefined;

  constructor(options: SpooledRecordingStoreOptions) {
    if (!Number.isInteger(options.retryMs) || options.retryMs < 1)
      throw new RangeError(`the spool retry interval must be a positive number of ms, not ${options.retryMs}`);
    this.#remote = options.remote;
    this.#spool = options.spool;
    this.#retryMs = options.retryMs;
    this.#logger = options.logger;
  }

  put(key: string, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    return this.#locked(key, async () => {
      await this.#spool.put(key, parts);
      await this.#upload(key);
    });
  }

  async size(key: string): Promise<number | undefined> {
    return (await this.#spool.size(key)) ?? this.#remote.size(key);
  }

  async read(key: string, start: number, length: number): Promise<Buffer | undefined> {
    // Uploaded and removed from the spool between two reads: the bucket then has the same bytes.
    return (await this.#spool.read(key, start, length)) ?? this.#remote.read(key, start, length);
  }

  /** The bucket first: if it is down this throws with the spool copy still there, so nothing is half erased. */
  delete(key: string): Promise<boolean> {
    return this.#locked(key, async () => {
      const remote = await this.#remote.delete(key);
      const spooled = await this.#spool.delete(key);
      return remote || spooled;
    });
  }

  /** Uploads what is in the spool now, then every `retryMs`. */
  start(): void {
    if (this.#timer !== undefined) return;
    void this.uploadPending();
    this.#timer = setInterval(() => {
      void this.uploadPending();
    }, this.#retryMs);
    // The spool outlives the process: a timer alone never keeps it running.
    this.#timer.unref();
  }

  /** Stops retrying and waits for a try under way; what is left stays in the spool for the next start. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweep;
  }

  /** One pass over the spool, oldest name first; it stops at the first upload that fails (the bucket is down). */
  uploadPending(): Promise<SpoolSweep> {
    this.#sweep ??= this.#uploadAll().finally(() => {
      this.#sweep = undefined;
    });
    return this.#sweep;
  }

  async #uploadAll(): Promise<SpoolSweep> {
    let keys: string[];
    try {
      keys = await this.#spool.keys();
    } catch (error) {
      this.#logger.error({ error: describe(error) }, 'could not list the recordings waiting for upload');
      return { uploaded: 0, pending: 0 };
    }
    let uploaded = 0;
    for (const [index, key] of keys.entries()) {
      const done = await this.#locked(key, async () =>
        (await this.#spool.size(key)) === undefined ? 'gone' : (await this.#upload(key)) ? 'uploaded' : 'failed',
      );
      if (done === 'uploaded') uploaded += 1;
      if (done === 'failed') return { uploaded, pending: keys.length - index };
    }
    if (uploaded > 0) this.#logger.info({ uploaded }, 'recordings kept locally are now in the bucket');
    return { uploaded, pending: 0 };
  }

  /** True when the bucket has it and the spool copy is removed; false (logged) when it stays in the spool. */
  async #upload(key: string): Promise<boolean> {
    try {
      await this.#remote.put(key, this.#spooled(key));
    } catch (error) {
      this.#logger.warn(
        { key, error: describe(error), retryMs: this.#retryMs },
        'the recordings bucket did not take this recording: it is kept locally and tried again',
      );
      return false;
    }
    await this.#spool.delete(key);
    return true;
  }

  async *#spooled(key: string): AsyncGenerator<Buffer> {
    const size = await this.#spool.size(key);
    if (size === undefined) throw new Error(`${key} left the spool before it was uploaded`);
    for (let at = 0; at < size; at += UPLOAD_SLICE_BYTES) {
      const slice = await this.#spool.read(key, at, Math.min(UPLOAD_SLICE_BYTES, size - at));
      if (slice === undefined) throw new Error(`${key} left the spool while it was uploaded`);
      yield slice;
    }
  }

  async #locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.catch(() => undefined);
    this.#locks.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    }
  }
}

/**
 * What went wrong, without the SDK's request and response objects: the message and status are what an operator
 * needs, and nothing of the signed request (credentials) can reach the log this way.
 */
function describe(error: unknown): { kind: string; message: string; status?: number } {
  if (!(error instanceof Error)) return { kind: 'Error', message: String(error) };
  const status =
    '$metadata' in error && typeof error.$metadata === 'object' && error.$metadata !== null
      ? (error.$metadata as { httpStatusCode?: number }).httpStatusCode
      : undefined;
  return status === undefined
    ? { kind: error.name, message: error.message }
    : { kind: error.name, message: error.message, status };
}
