import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startPermitLine, type RunningService, type StartOptions } from '../../src/service/start-permitline.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { standInFileUrl } from '../../src/sim/libsql-stand-in.ts';
import { TEST_KEY_A } from './keys.ts';

/**
 * DATABASE_URL for the database file at `path`: the file itself, or under `npm run test:libsql` the same
 * file served over the network by the libSQL stand-in (test/support/libsql-global-setup.ts).
 */
export function testDatabaseUrl(path: string): string {
  const standIn = process.env.PERMITLINE_TEST_LIBSQL_URL;
  if (process.env.PERMITLINE_TEST_DATABASE !== 'libsql') return `file:${path}`;
  if (standIn === undefined)
    throw new Error(
      'PERMITLINE_TEST_DATABASE=libsql but no stand-in was started: run the tests through vitest (npm run test:libsql)',
    );
  return standInFileUrl(standIn, path);
}

/**
 * A time limit for a test that makes thousands of database requests (500 texts drained): each is a network
 * round trip under `npm run test:libsql` (about twice the time of a file here), so the limit grows with it.
 */
export function databaseBound(ms: number): number {
  return process.env.PERMITLINE_TEST_DATABASE === 'libsql' ? ms * 3 : ms;
}

export function tempDatabaseFile(): { path: string; url: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'permitline-test-'));
  const path = join(dir, 'permitline.db');
  return {
    path,
    url: testDatabaseUrl(path),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const loaded = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_KEYS: TEST_KEY_A,
    SMS_WORKER: 'false',
    // The simulated phone runs up to 80× real time (the chaos test); tests of the pace limit set it back to 1.
    MEDIA_MAX_PACE: '100',
    ...overrides,
  });
  if (!loaded.ok) throw loaded.error;
  return loaded.config;
}

/** Everything the service logged, as text: tests read it to prove personal data stays out. */
export class CapturedLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface TestService extends RunningService {
  readonly log: CapturedLog;
  readonly databasePath: string;
  close(): Promise<void>;
}

/** The real service on a free port over a temp database file. */
export async function startTestService(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestService> {
  const database = tempDatabaseFile();
  const config = testConfig({ DATABASE_URL: database.url, ...env });
  const log = new CapturedLog();
  const service = await startPermitLine(
    config,
    createLogger(config.logLevel, log),
    [...(config.dataKeys ?? [])],
    options,
  );
  return {
    ...service,
    log,
    databasePath: database.path,
    async close() {
      await service.stop();
      database.cleanup();
    },
  };
}
