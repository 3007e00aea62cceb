import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.ts';

/**
 * Where recordings are kept: a port with three operations, so the service
 * does not care whether bytes land in a local directory (the default, and
 * tests) or an S3-compatible bucket (the production adapter, described in
 * docs/recordings.md but not built yet).
 * The store only ever sees ciphertext.
 */
export interface RecordingStore {
  /** Stores `bytes` under `key`, replacing what was there; readers never see a partial object. */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes under `key`, or undefined when there are none. */
  get(key: string): Promise<Buffer | undefined>;
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

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.#pathOf(key);
    // Written beside the target and renamed over it: a crash leaves a stray temp file, never half a recording.
    const temp = join(this.#dir, `.${key}.${randomUUID()}.tmp`);
    /* eslint-disable security/detect-non-literal-fs-filename -- the configured recordings directory and a validated key */
    await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
    try {
      const file = await open(temp, 'wx', FILE_MODE);
      try {
        await file.writeFile(bytes);
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

  async get(key: string): Promise<Buffer | undefined> {
    const path = this.#pathOf(key);
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the configured recordings directory and a validated key
      return await readFile(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
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

  #pathOf(key: string): string {
    return join(this.#dir, requireRecordingKey(key));
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
