import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/sim/call-simulator.ts';
import { freePort } from '../../src/sim/free-port.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { eventually } from '../support/wait.ts';

/**
 * The image, for real: built from the Dockerfile by a Docker engine on this
 * machine, run with host networking (everything stays on 127.0.0.1), asked for
 * readiness, given one simulated call from the host, and stopped with SIGTERM
 * while the call is live: the service in the container must drain the call
 * and exit 0. .ci/run installs docker.io and debootstrap, starts dockerd
 * without a bridge, and builds the base image the Dockerfile names
 * (.ci/local-node-image), because no registry can be reached to pull it.
 * Elsewhere the test says what is missing and is skipped.
 */

const ROOT = join(import.meta.dirname, '../..');
const BASE_IMAGE = /^ARG NODE_IMAGE=(.+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '';
const IMAGE = 'permitline:container-smoke';
const PUBLIC_BASE_URL = 'https://permits.example.test';
const AUTH_TOKEN = 'container-smoke-token';
const SPEED = 4;
const BUILD_TIMEOUT_MS = 600_000;
const run = promisify(execFile);

function missing(): string | undefined {
  const docker = (args: string[]) => execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    docker(['--version']);
  } catch {
    return "no docker command: install Debian's docker.io (apt-get install -y docker.io)";
  }
  try {
    docker(['info']);
  } catch {
    return 'no Docker engine answers: start one as root with `dockerd --bridge=none --iptables=false --ip-masq=false` (.ci/run does)';
  }
  try {
    docker(['image', 'inspect', BASE_IMAGE]);
  } catch {
    return `the base image ${BASE_IMAGE} is not here and cannot be pulled: build it with .ci/local-node-image (as root, with debootstrap)`;
  }
  return undefined;
}

const skipReason = missing();
if (skipReason !== undefined) process.stderr.write(`Container smoke test skipped: ${skipReason}\n`);

let containerId: string | undefined;

afterAll(async () => {
  if (containerId !== undefined) await run('docker', ['rm', '--force', containerId]).catch(() => undefined);
});

describe.skipIf(skipReason !== undefined)('the container image', () => {
  it(
    'when built and run, then it becomes ready, takes a call, and on SIGTERM drains that call and exits 0',
    async () => {
      process.stderr.write(`Building ${IMAGE} from the Dockerfile (npm ci inside takes a minute or two)…\n`);
      await run('docker', ['build', '--network', 'host', '--tag', IMAGE, ROOT], {
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
        timeout: BUILD_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      });
      const user = (await run('docker', ['image', 'inspect', '--format', '{{.Config.User}}', IMAGE])).stdout.trim();
      expect(user).toBe('node');

      const port = await freePort();
      const serviceUrl = `http://127.0.0.1:${port}`;
      const started = await run('docker', [
        'run',
        '--detach',
        '--network',
        'host',
        // Development: the image's built-in stand-ins for the model and Twilio take the call.
        ...['--env', 'NODE_ENV=development', '--env', `PORT=${port}`, '--env', 'HOST=127.0.0.1'],
        ...['--env', `PUBLIC_BASE_URL=${PUBLIC_BASE_URL}`, '--env', `TWILIO_AUTH_TOKEN=${AUTH_TOKEN}`],
        // The simulated phone below runs at SPEED times real time; Twilio never does.
        ...['--env', `MEDIA_MAX_PACE=${2 * SPEED}`, '--env', 'SMS_WORKER=false'],
        IMAGE,
      ]);
      const id = started.stdout.trim();
      containerId = id;
      await eventually(
        async () => (await fetch(`${serviceUrl}/health/ready`).catch(() => undefined))?.status === 200,
        'the container reports ready',
        60_000,
      );
      expect((await run('docker', ['exec', id, 'id', '-u'])).stdout.trim()).toBe('1000');

      let stopping: Promise<unknown> | undefined;
      const call = await simulateCall({
        serviceUrl,
        publicBaseUrl: PUBLIC_BASE_URL,
        authToken: AUTH_TOKEN,
        scenario: loadScenario('happy-path'),
        realTimeFactor: SPEED,
        timeoutMs: 90_000,
        onEvent: (event) => {
          // What a platform does on a deploy: `docker stop` sends SIGTERM, then SIGKILL after the grace period.
          if (event.type === 'mark-echoed' && stopping === undefined)
            stopping = run('docker', ['stop', '--time', '120', id]);
        },
      });
      await stopping;

      expect(call.errors).toEqual([]);
      expect(call.endedBy).toBe('service');
      expect(call.connectActionTwiml).toContain('<Hangup/>');
      const state = (await run('docker', ['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', id]))
        .stdout;
      expect(state.trim()).toBe('0 false');
      const logs = await run('docker', ['logs', id]);
      const output = logs.stdout + logs.stderr;
      expect(output).toContain('draining: readiness is off; live calls may finish');
      expect(output).not.toContain('drain timeout');
      expect(output).toContain('"msg":"stopped"');
    },
    BUILD_TIMEOUT_MS + 180_000,
  );
});
