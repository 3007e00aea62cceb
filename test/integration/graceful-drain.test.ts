import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simulateCall, type SimulateCallOptions } from '../../src/sim/call-simulator.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * SIGTERM while a caller is on the line: the process, as `npm start` runs
 * it (with its built-in realtime simulator), stops being ready at once but
 * lets the call finish, up to DRAIN_TIMEOUT_MS, and then exits 0.
 */

const PUBLIC_BASE_URL = 'https://permits.example.test';
const AUTH_TOKEN = 'drain-test-token';
const SPEED = 4;

let dir: string;
let child: ChildProcess | undefined;

afterEach(() => {
  // `npm start` runs in a process group of its own: stop npm and the service under it together.
  if (child?.pid !== undefined && child.spawnargs[0] === 'npm') {
    if (processIsAlive(-child.pid)) process.kill(-child.pid, 'SIGKILL');
  } else child?.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startService(
  env: Record<string, string> = {},
  launcher: 'node' | 'npm-start' = 'node',
): Promise<ServiceProcess> {
  dir = mkdtempSync(join(tmpdir(), 'permitline-drain-'));
  const service = await startServiceProcess(
    dir,
    {
      PUBLIC_BASE_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      // The simulated phone runs at SPEED times real time; Twilio never does (MEDIA_MAX_PACE defaults to 1).
      MEDIA_MAX_PACE: String(2 * SPEED),
      ...env,
    },
    [],
    launcher,
  );
  child = service.proc;
  return service;
}

/** Places the happy-path call and sends SIGTERM once the agent is talking. */
function callAndTerminate(service: ServiceProcess, options: Partial<SimulateCallOptions> = {}) {
  let terminated = false;
  return simulateCall({
    serviceUrl: service.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: AUTH_TOKEN,
    scenario: loadScenario('happy-path'),
    realTimeFactor: SPEED,
    timeoutMs: 60_000,
    ...options,
    onEvent: (event) => {
      if (event.type === 'mark-echoed' && !terminated) {
        terminated = true;
        service.proc.kill('SIGTERM');
      }
    },
  }).then((result) => ({ ...result, endedAtMs: Date.now() }));
}

/** Linux: the direct children of a process. */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('graceful drain', () => {
  it('when SIGTERM comes during a call, then readiness is 503 at once, the call finishes and is submitted, and then the process exits 0', async () => {
    const service = await startService();
    const call = callAndTerminate(service);
    await waitUntil(
      () => service.output().includes('draining: readiness is off'),
      'the service starts draining',
      20_000,
    );

    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(service.proc.exitCode).toBeNull();

    const result = await call;
    const exit = await service.exited;
    expect(result.endedBy).toBe('service');
    expect(result.errors).toEqual([]);
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(result.connectActionTwiml).not.toContain('<Say>');
    expect(exit.code).toBe(0);
    expect(exit.atMs).toBeGreaterThanOrEqual(result.endedAtMs - 50);
    expect(service.output()).not.toContain('drain timeout');
    const db = await openDatabase({ url: `file:${join(dir, 'permitline.db')}`, authToken: undefined });
    try {
      expect((await db.execute('SELECT status FROM applications')).rows).toEqual([
        expect.objectContaining({ status: 'submitted' }),
      ]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('when a platform sends SIGTERM to the npm process that `npm start` made, then the service itself drains the call and npm exits 0', async () => {
    const service = await startService({}, 'npm-start');
    // The service is npm's own child (the start script execs node): no shell in between to swallow the signal.
    const [nodePid] = childrenOf(service.proc.pid ?? 0);
    expect(nodePid).toBeDefined();
    expect(readFileSync(`/proc/${nodePid}/cmdline`, 'utf8')).toContain('src/main.ts');

    const result = await callAndTerminate(service);
    const exit = await service.exited;

    expect(service.output()).toContain('draining: readiness is off');
    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(exit.code).toBe(0);
    expect(service.output()).not.toContain('drain timeout');
    // Nothing is left behind answering probes after npm is gone.
    expect(processIsAlive(nodePid ?? 0)).toBe(false);
  }, 60_000);

  it('when the call ends by itself during the drain and Twilio is slow to ask the <Connect action>, then the service is still there to answer it', async () => {
    const service = await startService();

    const result = await callAndTerminate(service, { connectActionDelayMs: 500 });
    const exit = await service.exited;

    expect(result.errors).toEqual([]);
    expect(result.connectActionStatus).toBe(200);
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(exit.code).toBe(0);
  }, 60_000);

  it('when the call outlasts DRAIN_TIMEOUT_MS, then it is handed to the keypad IVR (on another instance) and the process exits 0', async () => {
    const service = await startService({ DRAIN_TIMEOUT_MS: '500' });

    const result = await callAndTerminate(service);
    const exit = await service.exited;

    expect(result.endedBy).toBe('service');
    expect(result.connectActionStatus).toBe(200);
    expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    expect(exit.code).toBe(0);
    expect(service.output()).toContain('drain timeout: ending the calls still in progress');
  }, 60_000);

  it('when a second SIGTERM comes while draining, then the process exits 1 at once', async () => {
    const service = await startService();
    const call = callAndTerminate(service);
    await waitUntil(
      () => service.output().includes('draining: readiness is off'),
      'the service starts draining',
      20_000,
    );
    const secondAt = Date.now();
    service.proc.kill('SIGTERM');

    const exit = await service.exited;
    await call;
    expect(exit.code).toBe(1);
    expect(exit.atMs - secondAt).toBeLessThan(2_000);
  }, 60_000);
});
