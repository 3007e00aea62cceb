import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/sim/free-port.ts';
import { CALL_CLI, runNode } from '../support/cli.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';

/**
 * npm run call against the service as `npm start` runs it, both real
 * processes: the newcomer's first calls. A call that cannot run its scenario
 * must end on its own and say why, not hang or report success.
 */

/** Far beyond what any of these calls takes at the default speed; a call still going then has hung. */
const CALL_LIMIT_MS = 60_000;
/** The call's limit and the service's start. */
const TEST_LIMIT_MS = CALL_LIMIT_MS + 20_000;

let dir: string | undefined;
let service: ServiceProcess | undefined;

afterEach(() => {
  service?.proc.kill('SIGKILL');
  service = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The service on a port of its own, so its default PUBLIC_BASE_URL (http://localhost:<port>) is the caller's too. */
async function startService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  dir = mkdtempSync(join(tmpdir(), 'permitline-call-cli-'));
  service = await startServiceProcess(dir, { PORT: String(await freePort()), ...env });
  return service;
}

const phone = (url: string, ...args: string[]) => runNode([CALL_CLI, ...args, '--url', url], {}, '', CALL_LIMIT_MS);

describe('npm run call against npm start', () => {
  it(
    'when the caller plays another scenario than the service’s simulator, then it hangs up on its own, says what it expected and heard and how to match them, and exits 2',
    async () => {
      const { url } = await startService();

      const call = await phone(url, 'barge-in');

      expect(call.code, call.stdout + call.stderr).toBe(2);
      expect(call.stdout).toContain('ended by        off-script');
      expect(call.stderr).toContain('Scenario barge-in did not run');
      expect(call.stderr).toMatch(/expected: "Sunny Side Lemonade, saved\./);
      expect(call.stderr).toMatch(/heard: +\d+\.\d s of lines of scenario happy-path/);
      expect(call.stderr).toContain('SIMULATOR_SCENARIO=barge-in npm start');
      expect(call.stderr).toContain('npm run call -- happy-path');
    },
    TEST_LIMIT_MS,
  );

  it(
    'when nothing but the scenario is given, then the call runs 4× real time, which the service without a model key allows, and plays its scenario to the end',
    async () => {
      const { url } = await startService();

      const call = await phone(url, 'happy-path');

      expect(call.code, call.stdout + call.stderr).toBe(0);
      expect(call.stdout).toContain('4× speed');
      expect(call.stdout).toContain('ended by        service (close 1000 "agent ended the call")');
      expect(call.stdout).toContain('caller turns    8 spoken');
      expect(call.stderr).not.toContain('did not run');
    },
    TEST_LIMIT_MS,
  );

  it(
    'when the service cannot reach its model and sends the call to the keypad IVR, then the call says so, plays the IVR’s first words and exits 2, not as a success',
    async () => {
      const closedPort = await freePort();
      const { url } = await startService({
        OPENAI_API_KEY: 'test-key-for-a-model-that-is-not-there',
        OPENAI_BASE_URL: `https://127.0.0.1:${closedPort}/v1`,
        MODEL_CONNECT_TIMEOUT_MS: '500',
      });

      const call = await phone(url, 'happy-path');

      expect(call.code, call.stdout + call.stderr).toBe(2);
      expect(call.stdout).toMatch(/redirected to +http:\/\/localhost:\d+\/twilio\/ivr/);
      expect(call.stdout).toContain('ivr: For English');
      expect(call.stderr).toContain('Scenario happy-path did not run: the service sent the call to the keypad IVR');
      expect(call.stderr).toContain('could not connect to the model');
      expect(call.stderr).toContain('OPENAI_BASE_URL');
    },
    TEST_LIMIT_MS,
  );
});
