import { parseArgs } from 'node:util';
import type { BenchTarget } from './side-by-side.ts';

/** `npm run bench -- --calls 100 --seconds 30`: every option has a default, the load. */

export interface BenchOptions {
  readonly calls: number;
  readonly seconds: number;
  readonly rampSeconds: number;
  /** Audio per model delta (and the interval between deltas). */
  readonly deltaMs: number;
  /** After a call's last frame, how long to wait for audio in flight before hanging up. */
  readonly drainMs: number;
  /** Write a V8 CPU profile of the service process into a kept temporary directory. */
  readonly cpuProf: boolean;
  /** Print p50/p99/max per second of the run, each way. */
  readonly timeline: boolean;
  /** Run one benchmark only; both by default, the bridge first. */
  readonly only: BenchName | undefined;
  /** Pending SMS outbox rows the outbox benchmark seeds and drains. */
  readonly outboxRows: number;
  /** Outbox workers draining at once, each with its own database connection. */
  readonly outboxWorkers: number;
  /** Run the service with its metrics listener (METRICS_PORT) and scrape it every this many seconds; 0: off. */
  readonly metricsScrapeSeconds: number;
  /** Run the bridge benchmark through HAProxy to this many instances (npm run cluster's setup); undefined: one process, direct. */
  readonly cluster: number | undefined;
  /** HAProxy's balance with --cluster. */
  readonly balance: 'roundrobin' | 'leastconn';
  /** What the bridge runs measure: both alternately (reference first), or one of them. */
  readonly target: 'both' | BenchTarget;
  /** Runs of each target: with both, reference and service alternately, this many pairs. */
  readonly pairs: number;
  /** With both: a run of the bare passthrough (no JSON) before each pair, printed as the floor. */
  readonly floor: boolean;
  /** A checkout of an earlier PermitLine (with its node_modules): its service alternates with this one's. */
  readonly before: string | undefined;
  /** With --before: the checkout whose service is "after" (default this one), to measure one change at a time. */
  readonly after: string | undefined;
  /** NAME=VALUE settings added to the earlier service's environment (e.g. WS_NO_BUFFER_UTIL=1). */
  readonly beforeEnv: Readonly<Record<string, string>>;
  /** Write every run's figures here as JSON when the bridge benchmark ends. */
  readonly json: string | undefined;
  /** Calls of the barge-in run (service only); 0: no barge-in run. */
  readonly bargeInCalls: number;
  /** Webhooks one at a time after each bridge run (the load of 200 a second for 3 s follows); 0: none. */
  readonly webhooks: number;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Streams simulated calls through the reference passthrough
(bench/reference-bridge.ts) and the real service, each a child process,
alternately (reference, service, reference, service, …: a fresh process, model
stand-in and database each run), to a local model stand-in, and reports the
latency each adds, frames lost or reordered, CPU and memory per call, first
agent audio, and, after each run on the same process, the voice webhook one
request at a time and at 200 a second for 3 s. Then a barge-in run (service
only), then a side-by-side table: the median of each target's runs, the ratio
service / reference, and each target met or not. Then drains a seeded SMS
outbox, rate limit lifted, into the local Twilio stand-in and reports rows per
second, whether each row was sent exactly once, and CPU per row.

With --target both each run prints a summary; with one target, its full report.
The webhooks follow each run's calls on the same process, which is stopped
after them: the model sessions each webhook pre-warms die with it, so none
reaches the next run. A run's progress lines start with its name ("pair 1/2:
reference"). The barge-in run echoes marks at playback pace, as Twilio does.

  --target T         both (default), service or reference
  --pairs P          runs of each target, alternating with both (default 2)
  --floor            with both: also run the bare passthrough (ws and TLS, no JSON) before each pair and
                     print it as the floor the targets are measured above
  --before DIR       alternate this service with the one in DIR (an earlier checkout with its node_modules)
                     and print before / after: what a change bought (bridge only, no reference)
  --before-env K=V   a setting for the earlier service only (repeatable), e.g. WS_NO_BUFFER_UTIL=1
  --after DIR        with --before: the checkout to measure as "after" (default this one)
  --json FILE        write every bridge run's figures to FILE as JSON ({ version, machine, runs })
  --barge-in-calls N calls of the barge-in run, 10 s each, service only (default 50; 0: none)
  --webhooks N       webhooks one at a time after each run, before 200 a second for 3 s (default 200; 0: none)
  --calls N          concurrent calls (default 200)
  --seconds S        caller audio per call, real time (default 20)
  --ramp-seconds R   spread call starts over R seconds (default 5)
  --delta-ms MS      model audio per delta, sent every MS ms (default 100)
  --drain-ms MS      wait for in-flight audio before hanging up (default 1000)
  --cpu-prof         keep a V8 CPU profile of the service (path printed at the end)
  --timeline         print latency percentiles for every second of the run
  --only NAME        run only one benchmark: bridge or outbox (default both)
  --outbox-rows N    pending outbox rows to seed and drain (default 2000)
  --outbox-workers W workers draining at once, one database connection each (default 1)
  --metrics S        run the service with its metrics listener (METRICS_PORT) and scrape it every S s (default off);
                     service runs only
  --cluster N        the bridge benchmark through HAProxy to N instances over the libSQL stand-in and Redis
                     (needs haproxy and redis-server); prints each process's CPU; service only (--target service)
  --balance B        with --cluster: roundrobin (default) or leastconn (spreads the media streams evenly)
  --help             this text
`;

const DEFAULTS = {
  calls: 200,
  seconds: 20,
  pairs: 2,
  bargeInCalls: 50,
  webhooks: 200,
  rampSeconds: 5,
  deltaMs: 100,
  drainMs: 1000,
  outboxRows: 2000,
  outboxWorkers: 1,
};
export const BENCH_NAMES = ['bridge', 'outbox'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];
/** Steady state starts this long after the last call was started, and must last at least as long again. */
export const STEADY_SETTLE_SECONDS = 1;
const MAX_CALLS = 5000;
const MAX_OUTBOX_ROWS = 1_000_000;
const MAX_OUTBOX_WORKERS = 16;
const MAX_CLUSTER_INSTANCES = 8;
const MAX_PAIRS = 20;
const MAX_WEBHOOKS = 100_000;
const TARGETS = ['both', 'service', 'reference'] as const;
const FRAME_MS = 20;

export type ParsedOptions = { ok: true; options: BenchOptions } | { ok: false; problem: string };

export function parseBenchOptions(argv: readonly string[]): ParsedOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        calls: { type: 'string' },
        seconds: { type: 'string' },
        'ramp-seconds': { type: 'string' },
        'delta-ms': { type: 'string' },
        'drain-ms': { type: 'string' },
        'cpu-prof': { type: 'boolean', default: false },
        timeline: { type: 'boolean', default: false },
        only: { type: 'string' },
        'outbox-rows': { type: 'string' },
        'outbox-workers': { type: 'string' },
        metrics: { type: 'string' },
        cluster: { type: 'string' },
        balance: { type: 'string' },
        target: { type: 'string' },
        pairs: { type: 'string' },
        floor: { type: 'boolean', default: false },
        before: { type: 'string' },
        'before-env': { type: 'string', multiple: true },
        after: { type: 'string' },
        json: { type: 'string' },
        'barge-in-calls': { type: 'string' },
        webhooks: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const problems: string[] = [];
  const number = (
    name: string,
    text: string | undefined,
    fallback: number,
    min: number,
    max: number,
    integer: boolean,
  ): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (
      text.trim() === '' ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      problems.push(
        `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${text}"`,
      );
    }
    return value;
  };
  const calls = number('calls', values.calls, DEFAULTS.calls, 1, MAX_CALLS, true);
  const seconds = number('seconds', values.seconds, DEFAULTS.seconds, 1, 3600, true);
  const rampSeconds = number('ramp-seconds', values['ramp-seconds'], DEFAULTS.rampSeconds, 0, 600, false);
  const deltaMs = number('delta-ms', values['delta-ms'], DEFAULTS.deltaMs, FRAME_MS, 1000, true);
  const drainMs = number('drain-ms', values['drain-ms'], DEFAULTS.drainMs, 0, 10_000, true);
  const outboxRows = number('outbox-rows', values['outbox-rows'], DEFAULTS.outboxRows, 1, MAX_OUTBOX_ROWS, true);
  const outboxWorkers = number(
    'outbox-workers',
    values['outbox-workers'],
    DEFAULTS.outboxWorkers,
    1,
    MAX_OUTBOX_WORKERS,
    true,
  );
  const metricsScrapeSeconds = number('metrics', values.metrics, 0, 0, 600, false);
  const cluster =
    values.cluster === undefined ? undefined : number('cluster', values.cluster, 1, 1, MAX_CLUSTER_INSTANCES, true);
  const only = BENCH_NAMES.find((name) => name === values.only);
  if (values.only !== undefined && only === undefined)
    problems.push(`--only must be ${BENCH_NAMES.join(' or ')}, not "${values.only}"`);
  const balance = values.balance ?? 'roundrobin';
  if (balance !== 'roundrobin' && balance !== 'leastconn')
    problems.push(`--balance must be roundrobin or leastconn, not "${balance}"`);
  const pairs = number('pairs', values.pairs, DEFAULTS.pairs, 1, MAX_PAIRS, true);
  const bargeInCalls = number('barge-in-calls', values['barge-in-calls'], DEFAULTS.bargeInCalls, 0, MAX_CALLS, true);
  const webhooks = number('webhooks', values.webhooks, DEFAULTS.webhooks, 0, MAX_WEBHOOKS, true);
  // --cluster measures the service behind HAProxy: there is no reference to set beside it, so it implies the service.
  const target = TARGETS.find((name) => name === (values.target ?? (cluster === undefined ? 'both' : 'service')));
  if (target === undefined) problems.push(`--target must be ${TARGETS.join(', ')}, not "${values.target ?? ''}"`);
  if (cluster !== undefined && target !== 'service')
    problems.push('--cluster measures the service only: it cannot be combined with --target both or reference');
  if (target === 'reference' && metricsScrapeSeconds > 0)
    problems.push('--metrics scrapes the service: it cannot be combined with --target reference');
  const beforeEnv: Record<string, string> = {};
  for (const setting of values['before-env'] ?? []) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(setting);
    if (match?.[1] === undefined) problems.push(`--before-env must be NAME=VALUE, not "${setting}"`);
    else beforeEnv[match[1]] = match[2] ?? '';
  }
  if (values.after !== undefined && values.before === undefined)
    problems.push('--after is the other side of --before: it needs --before DIR');
  if (values['before-env'] !== undefined && values.before === undefined)
    problems.push('--before-env sets up the earlier service: it needs --before DIR');
  if (values.before !== undefined && (values.floor || values.target !== undefined || cluster !== undefined))
    problems.push('--before alternates two services: it cannot be combined with --floor, --target or --cluster');
  if (values.floor && target !== 'both')
    problems.push('--floor runs beside the reference and the service: it needs --target both');
  if (values.json !== undefined && values.json.trim() === '') problems.push('--json needs a file name');
  if (problems.length === 0 && deltaMs % FRAME_MS !== 0) problems.push(`--delta-ms must be a multiple of ${FRAME_MS}`);
  if (problems.length === 0 && seconds < rampSeconds + 2 * STEADY_SETTLE_SECONDS) {
    problems.push(
      `--seconds must be at least --ramp-seconds + ${2 * STEADY_SETTLE_SECONDS}, so that every call is streaming at once for a while`,
    );
  }
  if (problems.length > 0) return { ok: false, problem: problems.join('\n') };
  return {
    ok: true,
    options: {
      calls,
      seconds,
      rampSeconds,
      deltaMs,
      drainMs,
      cpuProf: values['cpu-prof'],
      timeline: values.timeline,
      only,
      outboxRows,
      outboxWorkers,
      metricsScrapeSeconds,
      cluster,
      balance: balance === 'leastconn' ? 'leastconn' : 'roundrobin',
      target: target ?? 'both',
      pairs,
      floor: values.floor,
      before: values.before,
      after: values.after,
      beforeEnv,
      json: values.json,
      bargeInCalls,
      webhooks,
      help: values.help,
    },
  };
}
