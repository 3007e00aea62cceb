import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/sim/call-simulator.ts';
import { startRealtimeSimulator } from '../../src/sim/realtime-simulator.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { TEST_KEY_A } from '../support/keys.ts';
import { waitUntil } from '../support/wait.ts';

/** The real entry point, as `npm start` runs it, in a child process. */
const MAIN = join(import.meta.dirname, '../../src/main.ts');
const REKEY = join(import.meta.dirname, '../../src/cli/rekey.ts');
let dir: string;
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function run(
  script: string,
  env: Record<string, string>,
): { process: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const proc = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      resolve(code);
    }),
  );
  return { process: proc, output: () => output, exited };
}

describe('the service process', () => {
  it('when the configuration is invalid, then it exits 1 listing every problem and where to read about settings', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-main-'));
    const started = run(MAIN, { NODE_ENV: 'production', PORT: 'x' });
    child = started.process;

    expect(await started.exited).toBe(1);
    const out = started.output();
    expect(out).toContain('PORT');
    expect(out).toContain('README.md');
  });

  it('when started with no keys in development, then it creates the database and a private key file, serves, and exits 0 on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-main-'));
    const keyFile = join(dir, 'keys', 'dev-data-keys');
    const dbFile = join(dir, 'db', 'permitline.db');
    const started = run(MAIN, {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${dbFile}`,
      DEV_DATA_KEYS_FILE: keyFile,
    });
    child = started.process;

    await waitUntil(
      () => started.output().includes('PermitLine is listening'),
      'the service prints its listening line',
      15_000,
    );
    const url = /"url":"(http:\/\/[^"]+)"/.exec(started.output())?.[1];
    expect(url).toBeDefined();
    expect((await fetch(`${url}/apply`)).status).toBe(200);
    expect(existsSync(dbFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(started.output()).toContain('generated a development key file');
    expect(started.output()).not.toContain(readFileSync(keyFile, 'utf8').split(':')[1]?.trim());

    started.process.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('when the model endpoint is TLS with its CA in NODE_EXTRA_CA_CERTS, then a call through the started process reaches it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-main-'));
    const scenario = loadScenario('happy-path');
    const model = await startRealtimeSimulator({ scenario, apiKey: 'process-test-key' });
    try {
      const caFile = join(dir, 'model-ca.pem');
      writeFileSync(caFile, model.ca);
      const started = run(MAIN, {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `file:${join(dir, 'permitline.db')}`,
        DATA_KEYS: TEST_KEY_A,
        PUBLIC_BASE_URL: 'https://permits.example.test',
        TWILIO_AUTH_TOKEN: 'process-test-token',
        OPENAI_API_KEY: 'process-test-key',
        OPENAI_BASE_URL: model.baseURL,
        NODE_EXTRA_CA_CERTS: caFile,
        // The call below runs at 4 times real time; Twilio never does (MEDIA_MAX_PACE defaults to 1).
        MEDIA_MAX_PACE: '8',
      });
      child = started.process;
      await waitUntil(
        () => started.output().includes('PermitLine is listening'),
        'the service prints its listening line',
        15_000,
      );
      const url = /"url":"(http:\/\/[^"]+)"/.exec(started.output())?.[1] ?? '';

      const result = await simulateCall({
        serviceUrl: url,
        publicBaseUrl: 'https://permits.example.test',
        authToken: 'process-test-token',
        scenario,
        realTimeFactor: 4,
        hangUpAfterTurn: 0,
      });
      expect(result.endedBy).toBe('caller');
      expect(result.agentAudioMsPlayed).toBeGreaterThan(1000);
      expect(model.connections).toBeGreaterThanOrEqual(1);
      started.process.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    } finally {
      await model.close();
    }
  }, 30_000);

  it('when its port is taken, then it prints one line naming the port and PORT, and exits 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-main-'));
    const occupier = createServer();
    occupier.listen(0, '127.0.0.1');
    await new Promise((resolve) => occupier.once('listening', resolve));
    try {
      const { port } = occupier.address() as AddressInfo;
      let stderr = '';
      const proc = spawn(process.execPath, [MAIN], {
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: `file:${join(dir, 'permitline.db')}`,
          DATA_KEYS: TEST_KEY_A,
          SMS_WORKER: 'false',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child = proc;
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));

      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(lines[0]).toContain('set PORT');
    } finally {
      occupier.close();
    }
  });

  it('when npm run rekey runs against a database, then it reports progress and completion', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-main-'));
    const rekey = run(REKEY, { DATABASE_URL: `file:${join(dir, 'permitline.db')}`, DATA_KEYS: TEST_KEY_A });
    child = rekey.process;

    expect(await rekey.exited).toBe(0);
    expect(rekey.output()).toContain('Re-encrypting under data key "ka"');
    expect(rekey.output()).toMatch(/Done: 0 fields/);
  });
});
