import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/sim/call-simulator.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * A bug that escaped every handler, inside the service's own process (a
 * preload makes one on SIGUSR2): the process must not vanish with its calls.
 * It logs the fault, turns readiness off, lets the live call go on for
 * FAULT_DRAIN_TIMEOUT_MS, hands it to the IVR (which another instance
 * answers), and exits 1 so the platform replaces it.
 */

const PRELOAD = pathToFileURL(join(import.meta.dirname, '../support/fault-on-signal.ts')).href;
const PUBLIC_BASE_URL = 'https://permits.example.test';
const AUTH_TOKEN = 'process-fault-test-token';
const FAULT_DRAIN_MS = 1_000;
const SPEED = 4;

let dir: string | undefined;
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startService(faultKind: 'rejection' | 'exception'): Promise<ServiceProcess> {
  dir = mkdtempSync(join(tmpdir(), 'permitline-fault-'));
  const service = await startServiceProcess(
    dir,
    {
      PUBLIC_BASE_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      FAULT_DRAIN_TIMEOUT_MS: String(FAULT_DRAIN_MS),
      FAULT_KIND: faultKind,
      // The simulated phone runs at SPEED times real time; Twilio never does (MEDIA_MAX_PACE defaults to 1).
      MEDIA_MAX_PACE: String(2 * SPEED),
    },
    ['--import', PRELOAD],
  );
  child = service.proc;
  return service;
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
        realTimeFactor: SPEED,
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
      const { code } = await service.exited;

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
