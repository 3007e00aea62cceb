import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { simulateCall } from '../src/sim/call-simulator.ts';
import { freePort } from '../src/sim/free-port.ts';
import { startRealtimeSimulator } from '../src/sim/realtime-simulator.ts';
import { loadScenario } from '../src/sim/scenario.ts';
import { createLocalCertificate } from '../src/sim/tls-certificate.ts';
import { startServiceProcess, type ServiceProcess } from './service-process.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the bench writes only into the temporary directory it created */

/**
 * `npm run bench:greeting`: how long a caller waits for the agent's first
 * words after the media stream opens, when the stream lands on the instance
 * that answered the webhook (its model session was opened there early, while
 * Twilio spoke the notice) and when a load balancer sends it to another
 * instance (which opens the session only then). Two service processes over
 * one database, the realtime simulator over TLS answering at once; calls
 * alternate between the two cases. A measurement: it prints the figures and
 * exits 0 whatever they are.
 */

const AUTH_TOKEN = 'bench-twilio-auth-token';
const API_KEY = 'bench-openai-key';
const PUBLIC_BASE_URL = 'https://permits.bench.test';
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = `npm run bench:greeting -- [--calls N] [--say-ms MS]
  --calls   calls per case (default 10); the cases alternate
  --say-ms  how long Twilio speaks the notice before it opens the stream (default 1000)`;

type Placement = 'same instance' | 'other instance';

function options(): { calls: number; sayMs: number } {
  const { values } = parseArgs({
    options: { calls: { type: 'string', default: '10' }, 'say-ms': { type: 'string', default: '1000' } },
  });
  const calls = Number(values.calls);
  const sayMs = Number(values['say-ms']);
  if (!Number.isInteger(calls) || calls < 1 || !Number.isInteger(sayMs) || sayMs < 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  return { calls, sayMs };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { calls, sayMs } = options();
  const scratch = await mkdtemp(join(tmpdir(), 'permitline-greeting-bench-'));
  const certificate = await createLocalCertificate();
  const caFile = join(scratch, 'model-ca.pem');
  await writeFile(caFile, certificate.cert);
  const scenario = loadScenario('happy-path');
  const model = await startRealtimeSimulator({ scenario, apiKey: API_KEY, certificate });
  const services: ServiceProcess[] = [];
  try {
    const keys = `bench:${randomBytes(32).toString('base64')}`;
    for (const name of ['a', 'b']) {
      const port = await freePort();
      process.stdout.write(`starting instance ${name} on port ${port}…\n`);
      services.push(
        await startServiceProcess({
          cwd: REPO_ROOT,
          port,
          logFile: join(scratch, `service-${name}.log`),
          env: {
            PATH: process.env.PATH ?? '',
            PORT: String(port),
            HOST: '127.0.0.1',
            PUBLIC_BASE_URL,
            DATABASE_URL: `file:${join(scratch, 'bench.db')}`,
            DATA_KEYS: keys,
            TWILIO_AUTH_TOKEN: AUTH_TOKEN,
            SMS_WORKER: 'false',
            TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
            OPENAI_API_KEY: API_KEY,
            OPENAI_BASE_URL: model.baseURL,
            NODE_EXTRA_CA_CERTS: caFile,
            LOG_LEVEL: 'warn',
          },
        }),
      );
    }
    const [a, b] = services as [ServiceProcess, ServiceProcess];
    const delays: Record<Placement, number[]> = { 'same instance': [], 'other instance': [] };
    for (let i = 0; i < calls * 2; i++) {
      const placement: Placement = i % 2 === 0 ? 'same instance' : 'other instance';
      const hangUp = new AbortController();
      let openedAt: number | undefined;
      let firstAudioAt: number | undefined;
      await simulateCall({
        serviceUrl: a.url,
        streamServiceUrl: placement === 'same instance' ? a.url : b.url,
        publicBaseUrl: PUBLIC_BASE_URL,
        authToken: AUTH_TOKEN,
        // Numbers from the fictional 555-01xx range, one per call so that no draft is resumed.
        scenario: { ...scenario, callerNumber: `+1312555${String(100 + (i % 100)).padStart(4, '0')}` },
        sayMs,
        signal: hangUp.signal,
        timeoutMs: 15_000,
        onEvent: (event) => {
          if (event.type === 'stream-opened') openedAt = performance.now();
          if (event.type === 'agent-audio-started' && firstAudioAt === undefined) {
            firstAudioAt = performance.now();
            hangUp.abort(new Error('heard the greeting'));
          }
        },
      }).catch((error: unknown) => {
        if (!hangUp.signal.aborted) throw error;
      });
      if (openedAt === undefined || firstAudioAt === undefined)
        throw new Error(`call ${i + 1} (${placement}) heard no agent audio; see the logs in ${scratch}`);
      delays[placement].push(firstAudioAt - openedAt);
      process.stdout.write(`call ${i + 1}/${calls * 2} (${placement}): ${(firstAudioAt - openedAt).toFixed(1)} ms\n`);
    }
    process.stdout.write(
      `\nfirst agent audio after the stream opens (${calls} calls each, notice ${sayMs} ms, the model stand-in answers at once)\n`,
    );
    const medians: number[] = [];
    for (const placement of ['same instance', 'other instance'] as const) {
      const sorted = [...delays[placement]].sort((x, y) => x - y);
      medians.push(percentile(sorted, 50));
      process.stdout.write(
        `  ${placement.padEnd(15)} median ${percentile(sorted, 50).toFixed(1)} ms  p90 ${percentile(sorted, 90).toFixed(1)} ms  max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms\n`,
      );
    }
    process.stdout.write(`  other / same (medians): ${((medians[1] ?? 0) / (medians[0] ?? 1)).toFixed(2)}\n`);
  } finally {
    for (const service of services) await service.stop();
    await model.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
