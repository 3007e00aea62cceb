import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateDataKeysText } from './data-keys.ts';

const DEV_KEY_FILE_MODE = 0o600;
const DEV_KEY_DIR_MODE = 0o700;

/**
 * Development only: a key file beside the local database so `npm start` works
 * without setup and data survives restarts. Production must set DATA_KEYS.
 */
export function loadOrCreateDevDataKeys(filePath: string): { text: string; created: boolean } {
  const existing = readIfExists(filePath);
  if (existing !== undefined) {
    return { text: existing, created: false };
  }

  const text = generateDataKeysText(new Date());
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from our own config, not a request
  mkdirSync(dirname(filePath), { recursive: true, mode: DEV_KEY_DIR_MODE });
  try {
    // 'wx' fails instead of overwriting: if another process created the file
    // since we looked, its key may already protect data, so we use that one.
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from our own config, not a request
    writeFileSync(filePath, `${text}\n`, { mode: DEV_KEY_FILE_MODE, flag: 'wx' });
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) {
      return { text: readFile(filePath), created: false };
    }
    throw error;
  }
  return { text, created: true };
}

function readIfExists(filePath: string): string | undefined {
  try {
    return readFile(filePath);
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) {
      return undefined;
    }
    throw error;
  }
}

function readFile(filePath: string): string {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from our own config, not a request
  return readFileSync(filePath, 'utf8').trim();
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
