import { readFileSync } from 'node:fs';

/**
 * The Docker and Kubernetes secrets convention: a secret setting NAME may
 * instead be given as NAME_FILE, the path of a file that holds it (a mounted
 * secret). Each file is read once, here, at start; one trailing newline (as
 * `echo` and most editors leave) is trimmed. Problems name the setting and
 * the path, never what the file holds.
 */

/**
 * The settings that may be given as a file. REDIS_URL is among them because
 * it carries the Redis password (redis://:password@host:6379), the way ioredis
 * and managed Redis services hand it out.
 */
export const SECRET_SETTINGS = [
  'DATA_KEYS',
  'TWILIO_AUTH_TOKEN',
  'OPENAI_API_KEY',
  'DATABASE_AUTH_TOKEN',
  'REDIS_URL',
  'METRICS_TOKEN',
] as const;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface SecretFilesResult {
  /** The environment with each NAME_FILE read into NAME. */
  readonly env: Record<string, string | undefined>;
  readonly problems: readonly string[];
}

const TRAILING_NEWLINE = /\r?\n$/;

/**
 * Outside production a secret given both ways takes the variable (a value
 * typed on the command line for one run overrides the mounted file); in
 * production that is refused, since nobody can tell which one the operator meant.
 */
export function readSecretFiles(env: Environment): SecretFilesResult {
  const production = env.NODE_ENV?.trim() === 'production';
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const fileSetting = `${name}_FILE`;
    const path = env[fileSetting]?.trim();
    if (path === undefined || path === '') continue;
    const direct = env[name]?.trim();
    if (direct !== undefined && direct !== '') {
      if (production)
        problems.push(
          `${name} and ${fileSetting} are both set: give the secret one way only (unset ${name}, or unset ${fileSetting}).`,
        );
      continue;
    }
    const read = readSecret(path);
    if (typeof read === 'string') {
      if (read.trim() === '')
        problems.push(`${fileSetting} names ${path}, which is empty: put the ${name} value in it.`);
      else resolved[name] = read;
    } else {
      problems.push(`${fileSetting} names ${path}, which cannot be read (${read.code}): ${read.advice}`);
    }
  }
  return { env: resolved, problems };
}

function readSecret(path: string): string | { code: string; advice: string } {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator's own secret path, read once at start
    return readFileSync(path, 'utf8').replace(TRAILING_NEWLINE, '');
  } catch (error) {
    // Only the error code: a message could quote more than the path.
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { code, advice: ADVICE[code] ?? 'check the path and that the service may read it.' };
  }
}

const ADVICE: Readonly<Record<string, string>> = {
  ENOENT: 'no file is there; check the path and that the secret is mounted.',
  EACCES: 'the service may not read it; give its user read access.',
  EISDIR: 'it is a folder; name the file inside it.',
};
