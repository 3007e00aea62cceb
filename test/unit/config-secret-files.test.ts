import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { TEST_KEY_A, TEST_KEY_B } from '../support/keys.ts';

/**
 * Secrets mounted as files (NAME_FILE, the Docker and Kubernetes convention),
 * read by the config layer from real temporary files.
 */

const TWILIO_TOKEN = 'twilio-token-from-a-file-0d1e';
const OPENAI_KEY = 'sk-from-a-file-5f2a';
const TURSO_TOKEN = 'turso-token-from-a-file-9c3b';
const REDIS_WITH_PASSWORD = 'redis://:redis-password-from-a-file@127.0.0.1:6379';

const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_BASE_URL: 'https://permits.example.org',
  DATABASE_URL: 'libsql://permits-example.turso.io',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_FROM_NUMBER: '+13125550100',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'permitline-secrets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A secret file as a mounted secret or `echo value > file` leaves it: with a trailing newline. */
function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function problemsOf(env: Record<string, string>): string {
  const result = loadConfig(env);
  return result.ok ? '' : result.error.message;
}

describe('secrets from files', () => {
  it('when every secret is given as NAME_FILE, then each is read from its file with the trailing newline trimmed, and production starts', () => {
    const result = loadConfig({
      ...PRODUCTION,
      DATA_KEYS_FILE: secretFile('data-keys', `${TEST_KEY_A},${TEST_KEY_B}\n`),
      TWILIO_AUTH_TOKEN_FILE: secretFile('twilio', `${TWILIO_TOKEN}\n`),
      OPENAI_API_KEY_FILE: secretFile('openai', `${OPENAI_KEY}\r\n`),
      DATABASE_AUTH_TOKEN_FILE: secretFile('turso', TURSO_TOKEN),
      REDIS_URL_FILE: secretFile('redis', `${REDIS_WITH_PASSWORD}\n`),
    });
    if (!result.ok) throw result.error;
    const { config } = result;
    expect(config.dataKeys?.map((k) => k.id)).toEqual(['ka', 'kb']);
    expect(config.twilio.authToken).toBe(TWILIO_TOKEN);
    expect(config.realtime.apiKey).toBe(OPENAI_KEY);
    expect(config.database.authToken).toBe(TURSO_TOKEN);
    expect(config.redisUrl).toBe(REDIS_WITH_PASSWORD);
  });

  it('when production is given a secret both ways, then it refuses, naming both settings and never the secret', () => {
    const message = problemsOf({
      ...PRODUCTION,
      DATA_KEYS: TEST_KEY_A,
      DATABASE_AUTH_TOKEN: TURSO_TOKEN,
      OPENAI_API_KEY: OPENAI_KEY,
      TWILIO_AUTH_TOKEN: 'twilio-token-in-the-environment',
      TWILIO_AUTH_TOKEN_FILE: secretFile('twilio', `${TWILIO_TOKEN}\n`),
    });
    expect(message).toContain('TWILIO_AUTH_TOKEN and TWILIO_AUTH_TOKEN_FILE are both set');
    expect(message).not.toContain(TWILIO_TOKEN);
    expect(message).not.toContain('twilio-token-in-the-environment');
  });

  it('when development is given a secret both ways, then the variable wins over the file', () => {
    const result = loadConfig({
      OPENAI_API_KEY: 'sk-typed-for-this-run',
      OPENAI_API_KEY_FILE: secretFile('openai', `${OPENAI_KEY}\n`),
    });
    expect(result.ok && result.config.realtime.apiKey).toBe('sk-typed-for-this-run');
  });

  it('when a secret file is missing, empty or a folder, then the setting and path are named with what to do', () => {
    mkdirSync(join(dir, 'a-folder'));
    const message = problemsOf({
      TWILIO_AUTH_TOKEN_FILE: join(dir, 'not-mounted'),
      OPENAI_API_KEY_FILE: secretFile('empty', '\n'),
      DATABASE_AUTH_TOKEN_FILE: join(dir, 'a-folder'),
    });
    expect(message).toContain(
      `TWILIO_AUTH_TOKEN_FILE names ${join(dir, 'not-mounted')}, which cannot be read (ENOENT)`,
    );
    expect(message).toContain('check the path and that the secret is mounted');
    expect(message).toContain(`OPENAI_API_KEY_FILE names ${join(dir, 'empty')}, which is empty`);
    expect(message).toContain('DATABASE_AUTH_TOKEN_FILE names');
    expect(message).toContain('(EISDIR)');
  });

  it('when a secret read from a file is malformed, then the setting is named but its content is not printed', () => {
    const notAUrl = 'hunter2-not-a-redis-url';
    const badKey = 'k9:c2VjcmV0LWJ1dC10b28tc2hvcnQ=';
    const message = problemsOf({ REDIS_URL_FILE: secretFile('redis', `${notAUrl}\n`) });
    expect(message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
    expect(message).not.toContain(notAUrl);
    const keysMessage = problemsOf({ DATA_KEYS_FILE: secretFile('keys', `${badKey}\n`) });
    expect(keysMessage).toContain('DATA_KEYS entry 1 is not 32 bytes of base64');
    expect(keysMessage).not.toContain('c2VjcmV0');
  });
});
