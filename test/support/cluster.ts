import type { Client } from '@libsql/client';
import { pino } from 'pino';
import { simulateCall, type CallResult, type SimulateCallOptions } from '../../src/sim/call-simulator.ts';
import { startCluster, type Cluster } from '../../src/sim/cluster/cluster.ts';
import { hasHaproxy, HAPROXY, HAPROXY_PACKAGE } from '../../src/sim/cluster/haproxy-process.ts';
import { hasRedisServer, REDIS_PACKAGE, REDIS_SERVER } from '../../src/sim/redis-server.ts';
import type { RealtimeSimulator } from '../../src/sim/realtime-simulator.ts';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario.ts';
import { CallRepository, type TranscriptTurn } from '../../src/store/call-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys, TEST_KEY_A } from './keys.ts';

/**
 * The local cluster (src/sim/cluster/cluster.ts) for the cluster tests: real
 * HAProxy, a real redis-server, 2–3 real service processes over one database,
 * the shared realtime simulator and Twilio stand-in. Without haproxy or
 * redis-server the suites are skipped and say how to install them.
 */

export const CLUSTER_AUTH_TOKEN = 'cluster-test-twilio-auth-token';
export const hasClusterTools = hasHaproxy() && hasRedisServer();

/** Writes why `what` is skipped when HAProxy or redis-server is missing (a skipped suite must say why). */
export function reportMissingClusterTools(what: string): void {
  if (!hasHaproxy())
    process.stderr.write(
      `HAProxy not found at ${HAPROXY}: ${what} is skipped. Install it with: apt-get install -y ${HAPROXY_PACKAGE}\n`,
    );
  if (!hasRedisServer())
    process.stderr.write(
      `redis-server not found at ${REDIS_SERVER}: ${what} is skipped. Install it with: apt-get install -y ${REDIS_PACKAGE}\n`,
    );
}

/**
 * Settings that keep a cluster test short: fast retries and polls, no per-number limits in the way of many calls
 * from the scenario's numbers, and simulated phones allowed to run faster than real time.
 */
const FAST_CLUSTER_ENV = {
  LOG_LEVEL: 'info',
  MEDIA_MAX_PACE: '100',
  SMS_RATE_PER_SECOND: '0',
  SMS_POLL_INTERVAL_MS: '100',
  SMS_RETRY_MIN_MS: '20',
  SMS_RETRY_MAX_MS: '100',
  SMS_REQUEST_TIMEOUT_MS: '2000',
  SMS_PER_NUMBER_PER_DAY: '0',
  CALLS_PER_CALLER_PER_HOUR: '0',
  DRAIN_TIMEOUT_MS: '30000',
} as const;

export interface TestCluster extends Cluster {
  readonly model: RealtimeSimulator;
  readonly db: Client;
  readonly scenario: LoadedScenario;
  readonly calls: CallRepository;
  /** Phones the cluster through its balancer, as `callerNumber` (each call its own number, so no per-caller limit applies). */
  call(callerNumber: string, options?: Partial<SimulateCallOptions>): Promise<CallResult>;
  transcript(callSid: string): Promise<TranscriptTurn[]>;
  /** The stored transcript must be the scenario's, in order. */
  expectedSpokenTurns(): { role: string; text: string }[];
}

export async function startTestCluster(
  instances: number,
  env: Record<string, string> = {},
  scenarioName = 'happy-path',
): Promise<TestCluster> {
  const scenario = loadScenario(scenarioName);
  const cluster = await startCluster({
    instances,
    scenario,
    twilioAuthToken: CLUSTER_AUTH_TOKEN,
    dataKeys: TEST_KEY_A,
    env: { ...FAST_CLUSTER_ENV, ...env },
    logger: pino({ level: 'silent' }),
  });
  const { model } = cluster;
  if (model === undefined) throw new Error('the cluster started no realtime simulator');
  const db = await openDatabase({ url: cluster.databaseUrl, authToken: cluster.databaseAuthToken });
  const calls = new CallRepository(db, new FieldCipher(testDataKeys()));
  return {
    ...cluster,
    model,
    db,
    scenario,
    calls,
    call: (callerNumber, options = {}) =>
      simulateCall({
        serviceUrl: cluster.url,
        publicBaseUrl: cluster.url,
        authToken: CLUSTER_AUTH_TOKEN,
        scenario: { ...scenario, callerNumber },
        realTimeFactor: 8,
        timeoutMs: 120_000,
        ...options,
      }),
    transcript: (callSid) => calls.transcript(callSid),
    expectedSpokenTurns: () =>
      scenario.turns.flatMap((turn) =>
        turn.speaker === 'caller'
          ? [{ role: 'caller', text: turn.say }]
          : turn.outputs.flatMap((o) => ('say' in o ? [{ role: 'agent', text: o.say }] : [])),
      ),
    async stop(options) {
      db.close();
      await cluster.stop(options);
    },
  };
}

/** The n-th fictional caller number (555-01xx), n from 0 to 99. */
export function callerNumber(n: number): string {
  return `+1312555${String(100 + n).padStart(4, '0')}`;
}

type Turn = { readonly role: string; readonly text: string };

/**
 * Why the stored turns are not the scenario's, in order, or undefined when they are. On a loaded machine the
 * simulated caller may start speaking in a pause of the agent's (after a tool call) as a person would; the service
 * then cuts the agent off (a clear) and that agent line, never finished, has no transcript. So: every caller turn,
 * in order, and every agent line except at most one per clear; tool turns are not compared.
 */
export function transcriptProblem(
  stored: readonly TranscriptTurn[],
  expected: readonly Turn[],
  clears: number,
): string | undefined {
  const spoken = stored.filter((t) => t.role !== 'tool');
  let next = 0;
  let skippedAgentLines = 0;
  for (const turn of expected) {
    const here = spoken[next];
    if (here !== undefined && here.role === turn.role && here.text === turn.text) next += 1;
    else if (turn.role === 'agent') skippedAgentLines += 1;
    else
      return `the caller's turn "${turn.text}" is missing or out of place in: ${spoken
        .map((t) => `${t.role}@${t.offsetMs}: ${t.text.slice(0, 40)}`)
        .join(' | ')}`;
  }
  if (next !== spoken.length) return `${spoken.length - next} stored turns are not in the scenario`;
  if (skippedAgentLines > clears) return `${skippedAgentLines} agent lines missing with ${clears} clears`;
  const offsets = stored.map((t) => t.offsetMs);
  if (offsets.some((offset, i) => i > 0 && offset < (offsets[i - 1] ?? 0))) return 'turns out of time order';
  return undefined;
}
