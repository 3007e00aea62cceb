import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.ts';

/**
 * Where recordings are kept: a port with four operations, so the service
 * does not care whether bytes land in a local directory (the default, and
 * tests) or an S3-compatible bucket (S3RecordingStore, for several
 * instances; docs/recordings.md). Objects are written as a stream and
 * read by ranges, so neither saving nor playing a long call holds it whole.
 * The store only ever sees ciphertext.
 */
export interface RecordingStore {
  /** Stores the parts, in order, as one object under `key`, replacing what was there; readers never see a partial object. */
  put(key: string, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void>;
  /** The object's length in bytes, or undefined when there is none. */
  size(key: string): Promise<number | undefined>;
  /** `length` bytes of the object from `start` (fewer only where it ends), or undefined when there is none. */
  read(key: string, start: number, length: number): Promise<Buffer | undefined>;
  /** Removes `key`; false when there was nothing to remove. */
  delete(key: string): Promise<boolean>;
}

// A plain file name: no separators, no leading dot (so never "." or ".." and never one of our temp files).
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * A key that could escape the directory or bucket. Callers check CallSids before they get here, so reaching this is
 * our bug, not the caller's: not operational, logged with its stack.
 */
export class InvalidRecordingKeyError extends AppError {
  constructor(message: string) {
    super(message, { operational: false });
  }
}

/** Checks a key before it becomes part of a path or an object name. */
export function requireRecordingKey(key: string): string {
  if (!KEY_PATTERN.test(key)) {
    throw new InvalidRecordingKeyError(
      `"${key.slice(0, 40)}" is not a recording key: use 1 to 128 letters, digits, '_', '-' or '.', not starting with '.'`,
    );
  }
  return key;
}

export class LocalDirectoryRecordingStore implements RecordingStore {
  readonly #dir: string;

  constructor(dir: string) {
    if (dir.trim() === '') throw new TypeError('LocalDirectoryRecordingStore needs a directory');
    this.#dir = dir;
  }

  async put(key: string, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.#pathOf(key);
    // Written beside the target and renamed over it: a crash leaves a stray temp file, never half a recording.
    const temp = join(this.#dir, `.${key}.${randomUUID()}.tmp`);
    /* eslint-disable security/detect-non-literal-fs-filename -- the configured recordings directory and a validated key */
    await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
    try {
      const file = await open(temp, 'wx', FILE_MODE);
      try {
        for await (const part of parts) await file.write(part);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    /* eslint-enable security/detect-non-literal-fs-filename */
  }

  async size(key: string): Promise<number | undefined> {
    const path = this.#pathOf(key);
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the configured recordings directory and a validated key
      return (await stat(path)).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(key: string, start: number, length: number): Promise<Buffer | undefined> {
    const path = this.#pathOf(key);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0)
      throw new RangeError(`cannot read ${length} bytes at ${start} of a recording`);
    let file;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the configured recordings directory and a validated key
      file = await open(path, 'r');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    try {
      const bytes = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(bytes, filled, length - filled, start + filled);
        if (bytesRead === 0) break; // the end of the file
        filled += bytesRead;
      }
      return filled === length ? bytes : bytes.subarray(0, filled);
    } finally {
      await file.close();
    }
  }

  async delete(key: string): Promise<boolean> {
    const path = this.#pathOf(key);
    try {
      await rm(path);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** The keys stored here (temp files of unfinished writes left out); none when the directory is not there yet. */
  async keys(): Promise<string[]> {
    let entries;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the configured recordings directory
      entries = await readdir(this.#dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    return entries
      .filter((entry) => entry.isFile() && KEY_PATTERN.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  #pathOf(key: string): string {
    return join(this.#dir, requireRecordingKey(key));
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
