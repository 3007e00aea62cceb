import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_KEY_A } from '../support/keys.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * `npm start` with real accounts loads no simulator code: the local
 * stand-ins are reached only by a dynamic import on the branch without an
 * account (src/service/external-endpoints.ts). The process runs as npm
 * start runs it, from the repository root, with a preload that records every
 * module it loads.
 */

const REPO_ROOT = join(import.meta.dirname, '../..');
const PRELOAD = pathToFileURL(join(import.meta.dirname, '../support/record-loaded-modules.ts')).href;
const SIM_DIR = pathToFileURL(join(REPO_ROOT, 'src/sim/')).href;
const STAND_INS = pathToFileURL(join(REPO_ROOT, 'src/sim/local-stand-ins.ts')).href;
const ENDPOINTS = pathToFileURL(join(REPO_ROOT, 'src/service/external-endpoints.ts')).href;
const TRACING_SDK = pathToFileURL(join(REPO_ROOT, 'src/ops/tracing-sdk.ts')).href;
const OTEL_SDK = /\/node_modules\/@opentelemetry\/sdk-/;
const START_TIMEOUT_MS = 15_000;

// Fictional accounts: the service builds its clients at start but connects to neither until a call or a text.
const ACCOUNTS = {
  OPENAI_API_KEY: 'sk-start-imports-test',
  OPENAI_BASE_URL: 'https://realtime.example.test/v1',
  TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
  TWILIO_AUTH_TOKEN: 'start-imports-test-token',
  TWILIO_FROM_NUMBER: '+13125550142',
} as const;

let dir: string | undefined;
let service: ChildProcess | undefined;

afterEach(() => {
  // A test that failed before its SIGTERM leaves the process running: end that one (kill() signals its pid).
  if (service !== undefined && service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
  service = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts `node src/main.ts`, waits until it listens, stops it with SIGTERM and returns the URLs of the modules it loaded. */
async function modulesLoadedByStart(env: Record<string, string>): Promise<string[]> {
  dir = mkdtempSync(join(tmpdir(), 'permitline-start-imports-'));
  const loadedFile = join(dir, 'loaded-modules.txt');
  let output = '';
  const child = spawn(process.execPath, ['--import', PRELOAD, 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'permitline.db')}`,
      RECORDINGS_DIR: join(dir, 'recordings'),
      DATA_KEYS: TEST_KEY_A,
      SMS_WORKER: 'false',
      LOADED_MODULES_FILE: loadedFile,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service = child;
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

  await waitUntil(
    () => output.includes('PermitLine is listening') || child.exitCode !== null,
    'the service prints its listening line',
    START_TIMEOUT_MS,
  );
  expect(output).toContain('PermitLine is listening');
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean);
}

describe('what npm start loads', () => {
  it('when the OpenAI and Twilio accounts are configured, then no module under src/sim/ is loaded', async () => {
    const loaded = await modulesLoadedByStart(ACCOUNTS);

    // The recording works: the module that holds the choice was loaded and recorded.
    expect(loaded).toContain(ENDPOINTS);
    expect(loaded.filter((url) => url.startsWith(SIM_DIR))).toEqual([]);
  });

  it('when no account is configured, then the local stand-ins are loaded (the control: the test above can fail)', async () => {
    const loaded = await modulesLoadedByStart({});

    expect(loaded).toContain(STAND_INS);
  });
});

describe('what npm start loads for traces', () => {
  it('when OTEL_TRACES_EXPORTER is unset, then the OpenTelemetry SDK is never loaded (docs/adr/0007-tracing.md)', async () => {
    const loaded = await modulesLoadedByStart(ACCOUNTS);

    expect(loaded).toContain(ENDPOINTS);
    expect(loaded.filter((url) => url === TRACING_SDK || OTEL_SDK.test(url))).toEqual([]);
  });

  it('when OTEL_TRACES_EXPORTER=otlp, then the SDK is loaded (the control: the test above can fail)', async () => {
    const loaded = await modulesLoadedByStart({
      ...ACCOUNTS,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
    });

    expect(loaded).toContain(TRACING_SDK);
    expect(loaded.some((url) => OTEL_SDK.test(url))).toBe(true);
  });
});
