import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/sim/call-simulator.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { TEST_KEY_A } from '../support/keys.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * A bug that escaped every handler, inside the service's own process (a
 * preload makes one on SIGUSR2): the process must not vanish with its calls.
 * It logs the fault, turns readiness off, lets the live call go on for
 * FAULT_DRAIN_TIMEOUT_MS, hands it to the IVR (which another instance
 * answers), and exits 1 so the platform replaces it.
 */

const REPO_ROOT = join(import.meta.dirname, '../..');
const PRELOAD = pathToFileURL(join(import.meta.dirname, '../support/fault-on-signal.ts')).href;
const PUBLIC_BASE_URL = 'https://permits.example.test';
const AUTH_TOKEN = 'process-fault-test-token';
const FAULT_DRAIN_MS = 1_000;

let dir: string | undefined;
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startService(faultKind: 'rejection' | 'exception') {
  dir = mkdtempSync(join(tmpdir(), 'permitline-fault-'));
  let output = '';
  const proc = spawn(process.execPath, ['--import', PRELOAD, 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'permitline.db')}`,
      DATA_KEYS: TEST_KEY_A,
      PUBLIC_BASE_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      SMS_WORKER: 'false',
      FAULT_DRAIN_TIMEOUT_MS: String(FAULT_DRAIN_MS),
      FAULT_KIND: faultKind,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  await waitUntil(() => output.includes('PermitLine is listening'), 'the service prints its listening line', 15_000);
  const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1] ?? '';
  return { proc, url, exited, output: () => output };
}

describe('a bug no handler caught', () => {
  for (const kind of ['rejection', 'exception'] as const) {
    it(`when an unhandled ${kind} happens during a call, then readiness goes off, the call is handed to the IVR, and the process exits 1`, async () => {
      const service = await startService(kind);
      let faulted = false;
      const call = simulateCall({
        serviceUrl: service.url,
        publicBaseUrl: PUBLIC_BASE_URL,
        authToken: AUTH_TOKEN,
        scenario: loadScenario('happy-path'),
        realTimeFactor: 4,
        timeoutMs: 60_000,
        onEvent: (event) => {
          // The agent is talking: the call is live when the fault comes.
          if (event.type === 'mark-echoed' && !faulted) {
            faulted = true;
            service.proc.kill('SIGUSR2');
          }
        },
      });
      await waitUntil(() => service.output().includes('unexpected error'), 'the service logs the fault', 20_000);

      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(503);
      const result = await call;
      const code = await service.exited;

      expect(code).toBe(1);
      expect(result.endedBy).toBe('service');
      expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
      const fatal = service
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":60'))
        .map((line) => JSON.parse(line) as { fault?: string; err?: { message?: string } })
        .map((entry) => ({ fault: entry.fault, message: entry.err?.message?.split(':')[0] }));
      expect(fatal).toEqual([
        {
          fault: kind === 'rejection' ? 'unhandledRejection' : 'uncaughtException',
          message: 'a fault injected by the test',
        },
      ]);
      expect(service.output()).toContain('drain timeout: ending the calls still in progress');
    }, 60_000);
  }
});
