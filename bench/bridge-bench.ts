import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/sim/free-port.ts';
import { createLocalCertificate } from '../src/sim/tls-certificate.ts';
import { FRAME_MS } from '../src/protocols/media-stream-messages.ts';
import { BargeInLedger } from './barge-in-ledger.ts';
import { runBenchCall, type BenchCallResult } from './bench-caller.ts';
import { benchJson } from './bench-json.ts';
import { PartsWindow, startClusterTarget, type ClusterTarget } from './cluster-target.ts';
import { startBenchModelServer, type BenchModelServer } from './bench-model-server.ts';
import { parseBenchOptions, STEADY_SETTLE_SECONDS, USAGE, type BenchOptions } from './bench-options.ts';
import {
  formatOutboxReport,
  formatReport,
  formatRunSummary,
  formatTimeline,
  type BenchFigures,
} from './bench-report.ts';
import { runOutboxBench } from './outbox-bench.ts';
import { ProcessTimeline } from './process-timeline.ts';
import { startServiceProcess, type ServiceProcess } from './service-process.ts';
import {
  compareRuns,
  formatBargeIn,
  formatSideBySide,
  type BargeInFigures,
  type BenchTarget,
  formatFloor,
  formatBeforeAfter,
  type BridgeRun,
} from './side-by-side.ts';
import { SteadyWindow } from './steady-window.ts';
import { DirectionLedger, summarizeLatency } from './stream-ledger.ts';
import { runWebhookBench } from './webhook-bench.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the bench reads and writes only files in the temporary directory it created */

/**
 * `npm run bench`: N concurrent simulated calls stream 20 ms frames at real
 * time through a bridge (a child process: the reference passthrough or the
 * real service, alternately) to a model stand-in that streams audio back, and
 * the bench reports the latency each bridge adds each way, frames lost or
 * reordered, its CPU and memory per call, first agent audio and its voice
 * webhook's speed; then a barge-in run (service only) and the two side by
 * side against issue 16's targets (bench/side-by-side.ts).
 * Then it drains a seeded SMS outbox into the local Twilio stand-in
 * (bench/outbox-bench.ts); `--only` runs one of the two.
 * A measurement, not a test: it exits 0 whether or not the targets are met,
 * and non-zero only when the harness itself fails.
 */

const PROGRESS_INTERVAL_MS = 5_000;
/** The sampler wakes every this many ms and records the whole interval, so this much is subtracted from what it reports. */
const LOOP_DELAY_RESOLUTION_MS = 10;
const DEADLINE_SLACK_MS = 60_000;
/** Seeding and draining take about 4 ms a row here (0.5 + 3.5); the deadline only catches a hung run. */
const OUTBOX_DEADLINE_MS_PER_ROW = 20;
const CLEANUP_LIMIT_MS = 15_000;
const AUTH_TOKEN = 'bench-twilio-auth-token';
const MS_PER_S = 1000;
const NS_PER_MS = 1e6;
const PERCENT = 100;
const GOLDEN_RATIO_FRACTION = 0.618_033_988_75;
/** The barge-in run: calls this long (at least the ramp and the steady window's settling), a barge-in every 2 s. */
const BARGE_IN_SECONDS = 10;
const BARGE_IN_EVERY_MS = 2_000;
const BARGE_IN_PAUSE_MS = 300;
/** After each bridge run: signed webhooks at this rate, for this long. */
const WEBHOOK_LOAD_PER_SECOND = 200;
const WEBHOOK_LOAD_SECONDS = 3;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const out = (text: string): void => {
  process.stdout.write(text);
};
const sinceMs = (originNs: bigint): number => Number(process.hrtime.bigint() - originNs) / NS_PER_MS;

/** One bridge run: which bridge, how many calls for how long, and whether it is the barge-in run. */
interface BridgeRunPlan {
  readonly target: BenchTarget;
  /** Shown on every progress line: "pair 1/2: reference". */
  readonly label: string;
  readonly calls: number;
  readonly seconds: number;
  readonly bargeIn: boolean;
}

interface BridgeRunOutcome {
  readonly figures: BenchFigures;
  readonly bargeIn: BargeInFigures | undefined;
}

/** A fresh model stand-in, bridge process and database: nothing carries over from one run to the next. */
async function runBridge(options: BenchOptions, plan: BridgeRunPlan): Promise<BridgeRunOutcome> {
  const scratch = await mkdtemp(join(tmpdir(), 'permitline-bench-'));
  const profileDir = options.cpuProf ? await mkdtemp(join(tmpdir(), 'permitline-bench-profile-')) : undefined;
  const abort = new AbortController();
  const webhookMs = plan.bargeIn || options.webhooks === 0 ? 0 : WEBHOOK_LOAD_SECONDS * MS_PER_S;
  const totalMs = (options.rampSeconds + plan.seconds) * MS_PER_S + options.drainMs + webhookMs;
  const deadline = setTimeout(() => {
    abort.abort(new Error(`the run did not finish within ${((totalMs + DEADLINE_SLACK_MS) / MS_PER_S).toFixed(0)} s`));
  }, totalMs + DEADLINE_SLACK_MS);
  let service: ServiceProcess | undefined;
  let clusterTarget: ClusterTarget | undefined;
  let partsWindow: PartsWindow | undefined;
  let model: BenchModelServer | undefined;
  let steady: SteadyWindow | undefined;
  let progress: NodeJS.Timeout | undefined;
  let metricsScraper: NodeJS.Timeout | undefined;
  let loadTimeline: ProcessTimeline | undefined;
  const loopDelayTimers: NodeJS.Timeout[] = [];
  const onInterrupt = (): void => {
    abort.abort(new Error('interrupted (SIGINT)'));
  };
  process.once('SIGINT', onInterrupt);
  try {
    const certificate = await createLocalCertificate();
    const caFile = join(scratch, 'model-ca.pem');
    await writeFile(caFile, certificate.cert);
    const originNs = process.hrtime.bigint();
    const callMs = plan.seconds * MS_PER_S;
    const inbound = new DirectionLedger(originNs, plan.calls, callMs / FRAME_MS);
    const outbound = new DirectionLedger(originNs, plan.calls, (callMs + options.drainMs) / options.deltaMs);
    const bargeIns = plan.bargeIn ? new BargeInLedger() : undefined;
    model = await startBenchModelServer({
      certificate,
      deltaMs: options.deltaMs,
      inbound,
      outbound,
      ...(bargeIns === undefined
        ? {}
        : { bargeIn: { everyMs: BARGE_IN_EVERY_MS, pauseMs: BARGE_IN_PAUSE_MS, ledger: bargeIns } }),
    });

    const metricsPort = options.metricsScrapeSeconds > 0 && plan.target === 'service' ? await freePort() : undefined;
    const logFile = join(scratch, 'service.log');
    const serviceEnv = {
      // The bench submits no application, so no text is ever sent: no SMS worker, and a Twilio stand-in address
      // that is never called, so the service starts no stand-in of its own (and logs no warning about it).
      SMS_WORKER: 'false',
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
      // The bench measures the bridge past the bulkhead's default: every call it places must reach the model.
      CALLS_AT_ONCE_PER_INSTANCE: '0',
    };
    if (options.cluster !== undefined && plan.target === 'service') {
      if (metricsPort !== undefined) throw new Error('--metrics and --cluster cannot be combined');
      out(`starting a cluster of ${options.cluster} behind HAProxy (balance ${options.balance})…\n`);
      clusterTarget = await startClusterTarget({
        instances: options.cluster,
        balance: options.balance,
        certificate,
        modelBaseUrl: model.baseURL,
        authToken: AUTH_TOKEN,
        env: serviceEnv,
        onProgress: (message) => {
          out(`  ${message}\n`);
        },
      });
      service = clusterTarget.service;
    } else if (plan.target === 'reference' || plan.target === 'floor') {
      const port = await freePort();
      service = await startServiceProcess({
        cwd: REPO_ROOT,
        port,
        logFile,
        nodeArgs: profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir],
        entry: [
          'bench/reference-bridge.ts',
          '--port',
          String(port),
          '--model-url',
          `${model.baseURL.replace(/^https:/, 'wss:')}/realtime`,
          ...(plan.target === 'floor' ? ['--bare'] : []),
        ],
        env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: caFile },
      });
    } else {
      const port = await freePort();
      service = await startServiceProcess({
        cwd: (plan.target === 'before' ? options.before : options.after) ?? REPO_ROOT,
        port,
        logFile,
        nodeArgs: profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir],
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
          DATABASE_URL: `file:${join(scratch, 'bench.db')}`,
          DATA_KEYS: `bench:${randomBytes(32).toString('base64')}`,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          OPENAI_API_KEY: 'bench-not-a-key',
          OPENAI_BASE_URL: model.baseURL,
          NODE_EXTRA_CA_CERTS: caFile,
          ...serviceEnv,
          ...(plan.target === 'before' ? options.beforeEnv : {}),
          ...(metricsPort === undefined ? {} : { METRICS_PORT: String(metricsPort) }),
        },
      });
    }
    // Prometheus's side, when asked for: what the service pays for being scraped is part of what it costs.
    const scrapes = { count: 0, failed: 0, lastLiveCalls: Number.NaN };
    if (metricsPort !== undefined) {
      metricsScraper = setInterval(() => {
        void fetch(`http://127.0.0.1:${metricsPort}/metrics`)
          .then(async (res) => {
            const text = await res.text();
            if (!res.ok) throw new Error(String(res.status));
            scrapes.count += 1;
            scrapes.lastLiveCalls = Number(/^permitline_calls_live (\S+)$/m.exec(text)?.[1]);
          })
          .catch(() => {
            scrapes.failed += 1;
          });
      }, options.metricsScrapeSeconds * MS_PER_S);
    }
    const idle = await service.sample();
    const what = {
      reference: 'reference passthrough (bench/reference-bridge.ts)',
      floor: 'bare passthrough (bench/reference-bridge.ts --bare)',
      before: `service from ${options.before ?? '?'}`,
      service: options.after === undefined ? 'service' : `service from ${options.after}`,
    }[plan.target];
    out(
      clusterTarget === undefined
        ? `${plan.label}: ${what} pid ${service.pid} ready at ${service.url}; idle RSS ${(idle.rssBytes / 1024 / 1024).toFixed(1)} MiB\n`
        : `${plan.label}: cluster of ${options.cluster ?? 0} ready at ${service.url} (HAProxy); instances' idle RSS together ${(idle.rssBytes / 1024 / 1024).toFixed(1)} MiB\n`,
    );
    out(
      `${plan.label}: ${plan.calls} calls × ${plan.seconds} s, starts spread over ${options.rampSeconds} s, model deltas of ${options.deltaMs} ms${plan.bargeIn ? `, a barge-in every ${BARGE_IN_EVERY_MS / MS_PER_S} s per call, marks echoed at playback pace` : ''}\n`,
    );

    const sampled = service;
    loadTimeline = new ProcessTimeline(clusterTarget === undefined ? service.pid : () => sampled.sample());
    await loadTimeline.start();
    // The run's clock restarts here so that the steady window is in the ledgers' time base.
    const runStartMs = sinceMs(originNs);
    const rampMs = options.rampSeconds * MS_PER_S;
    const lastStartMs = plan.calls > 1 ? (rampMs * (plan.calls - 1)) / plan.calls : 0;
    const steadyFromMs = runStartMs + lastStartMs + STEADY_SETTLE_SECONDS * MS_PER_S;
    const steadyToMs = runStartMs + plan.seconds * MS_PER_S;
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });

    let connected = 0;
    let peakRss = idle.rssBytes;
    const svc = service;
    steady = new SteadyWindow(svc);
    steady.schedule(steadyFromMs - sinceMs(originNs), steadyToMs - sinceMs(originNs));
    if (clusterTarget !== undefined) {
      partsWindow = new PartsWindow(clusterTarget.parts);
      partsWindow.schedule(steadyFromMs - sinceMs(originNs), steadyToMs - sinceMs(originNs));
    }
    loopDelayTimers.push(
      setTimeout(
        () => {
          loopDelay.enable();
        },
        Math.max(0, steadyFromMs - sinceMs(originNs)),
      ),
      setTimeout(
        () => {
          loopDelay.disable();
        },
        Math.max(0, steadyToMs - sinceMs(originNs)),
      ),
    );
    progress = setInterval(() => {
      void svc.sample().then(
        (s) => {
          peakRss = Math.max(peakRss, s.rssBytes);
          out(
            `  ${plan.label}  t=${((sinceMs(originNs) - runStartMs) / MS_PER_S).toFixed(0).padStart(3)} s  connected ${connected}/${plan.calls}` +
              `  caller→model ${inbound.receivedSoFar}/${inbound.sentSoFar}  model→caller ${outbound.receivedSoFar}/${outbound.sentSoFar}` +
              `  service RSS ${(s.rssBytes / 1024 / 1024).toFixed(0)} MiB\n`,
          );
        },
        () => undefined,
      );
    }, PROGRESS_INTERVAL_MS);

    const calls: Promise<BenchCallResult>[] = [];
    for (let i = 0; i < plan.calls; i += 1) {
      const startAt = runStartMs + (plan.calls > 1 ? (rampMs * i) / plan.calls : 0) + framePhaseMs(i);
      calls.push(
        sleep(Math.max(0, startAt - sinceMs(originNs)), undefined, { signal: abort.signal })
          .then(() =>
            runBenchCall({
              serviceUrl: svc.url,
              authToken: AUTH_TOKEN,
              callIndex: i,
              durationMs: plan.seconds * MS_PER_S,
              drainMs: options.drainMs,
              inbound,
              outbound,
              stopModel: (callIndex) => model?.stopSpeakingTo(callIndex) ?? false,
              ...(bargeIns === undefined ? {} : { marks: 'at playback pace' as const, bargeIn: bargeIns }),
              signal: abort.signal,
              onConnected: () => {
                connected += 1;
              },
            }),
          )
          .catch((error: unknown): BenchCallResult => ({
            callIndex: i,
            connected: false,
            problems: [`not run: ${error instanceof Error ? error.message : String(error)}`],
            webhookMs: Number.NaN,
            firstAudioMs: Number.NaN,
            framesSent: 0,
            marksEchoed: 0,
            clears: 0,
            maxSendLagMs: 0,
          })),
      );
    }
    const results = await Promise.all(calls);
    clearInterval(progress);
    clearInterval(metricsScraper);
    loadTimeline.stop();
    if (abort.signal.aborted)
      throw abort.signal.reason instanceof Error ? abort.signal.reason : new Error('the run was aborted');
    if (service.exitCode() !== null)
      throw new Error(
        `the service exited during the run (${String(service.exitCode())}); see its log:\n${await tail(logFile)}`,
      );
    const usage = await steady.usage();
    peakRss = Math.max(peakRss, usage.serviceRssBytes);
    // On the same process, after the calls: each answered webhook leaves a pre-warmed model session that no stream
    // claims; they die with the process, stopped below, so none reaches the next run.
    let webhooks: Awaited<ReturnType<typeof runWebhookBench>> | undefined;
    if (webhookMs > 0) {
      out(
        `${plan.label}: ${options.webhooks} voice webhooks one at a time, then ${WEBHOOK_LOAD_PER_SECOND} a second for ${WEBHOOK_LOAD_SECONDS} s…\n`,
      );
      webhooks = await runWebhookBench({
        serviceUrl: svc.url,
        authToken: AUTH_TOKEN,
        single: options.webhooks,
        perSecond: WEBHOOK_LOAD_PER_SECOND,
        seconds: WEBHOOK_LOAD_SECONDS,
        signal: abort.signal,
      });
    }
    const logText = clusterTarget === undefined ? await readFile(logFile, 'utf8') : await clusterTarget.logText();
    const figures: BenchFigures = {
      calls: plan.calls,
      connected: results.filter((r) => r.connected).length,
      seconds: plan.seconds,
      rampSeconds: options.rampSeconds,
      deltaMs: options.deltaMs,
      steadySeconds: usage.wallSeconds,
      inbound: inbound.summary(steadyFromMs, steadyToMs, MS_PER_S / FRAME_MS),
      outbound: outbound.summary(steadyFromMs, steadyToMs, MS_PER_S / options.deltaMs),
      webhook: summarizeLatency(Float64Array.from(results.map((r) => r.webhookMs).filter(Number.isFinite))),
      ...(webhooks === undefined
        ? {}
        : { webhookSingle: { latency: webhooks.single, errors: webhooks.singleErrors }, webhookLoad: webhooks.load }),
      firstAudio: summarizeLatency(Float64Array.from(results.map((r) => r.firstAudioMs).filter(Number.isFinite))),
      callProblems: results.flatMap((r) => r.problems.map((p) => `call ${r.callIndex}: ${p}`)),
      service: {
        cpuPercentOfCore: (usage.serviceCpuSeconds / usage.wallSeconds) * PERCENT,
        rssIdleBytes: idle.rssBytes,
        rssLoadBytes: usage.serviceRssBytes,
        warnings: logText.split('\n').filter((line) => /"level":(40|50|60)/.test(line)).length,
      },
      harness: {
        cpuPercentOfCore: (usage.benchCpuSeconds / usage.wallSeconds) * PERCENT,
        otherCpuPercentOfCore: (usage.otherCpuSeconds / usage.wallSeconds) * PERCENT,
        otherCpuWholeRunPercentOfCore: loadTimeline.otherCpuOverall,
        loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS),
        maxSendLagMs: Math.max(0, ...results.map((r) => r.maxSendLagMs)),
      },
      machine: { cpus: availableParallelism(), node: process.version },
    };
    const unexpected = [...model.unexpectedEvents].map(([type, n]) => `${type} ×${n}`);
    if (options.timeline)
      out(formatTimeline(inbound.timeline(MS_PER_S), outbound.timeline(MS_PER_S), loadTimeline.seconds, runStartMs));
    const bargeIn = bargeIns?.summary(plan.calls);
    out(options.target === 'both' || plan.bargeIn ? formatRunSummary(plan.label, figures) : formatReport(figures));
    if (bargeIn !== undefined) out(formatBargeIn(bargeIn));
    out(
      `  RSS peak ${(peakRss / 1024 / 1024).toFixed(1)} MiB; model stand-in connections ${model.connections}${unexpected.length > 0 ? `; unexpected client events: ${unexpected.join(', ')}` : ''}\n`,
    );
    if (metricsPort !== undefined)
      out(
        `metrics: scraped every ${options.metricsScrapeSeconds} s, ${scrapes.count} scrapes (${scrapes.failed} failed); live calls at the last one ${scrapes.lastLiveCalls}\n`,
      );
    if (partsWindow !== undefined) out(await partsWindow.report());
    if (figures.service.warnings > 0)
      out(
        `service log (last lines):\n${clusterTarget === undefined ? await tail(logFile) : logText.trimEnd().split('\n').slice(-10).join('\n')}\n`,
      );
    return { figures, bargeIn };
  } finally {
    clearTimeout(deadline);
    clearInterval(progress);
    clearInterval(metricsScraper);
    loadTimeline?.stop();
    steady?.cancel();
    partsWindow?.cancel();
    for (const timer of loopDelayTimers) clearTimeout(timer);
    process.off('SIGINT', onInterrupt);
    abort.abort(new Error('bench finished'));
    await service?.stop();
    await model?.close();
    await rm(scratch, { recursive: true, force: true });
    if (profileDir !== undefined) out(`service CPU profile: ${profileDir}\n`);
  }
}

/**
 * Real calls start at random points of a 20 ms frame. Evenly spaced starts would put all calls on a few phases
 * (200 calls over 5 s are 25 ms apart: only 4 distinct phases) and make every frame tick a burst, so each call's
 * start is nudged by a low-discrepancy (golden ratio) fraction of a frame: deterministic, and evenly spread.
 */
function framePhaseMs(callIndex: number): number {
  return ((callIndex * GOLDEN_RATIO_FRACTION) % 1) * FRAME_MS;
}

async function runOutbox(options: BenchOptions): Promise<number> {
  const abort = new AbortController();
  const limitMs = DEADLINE_SLACK_MS + options.outboxRows * OUTBOX_DEADLINE_MS_PER_ROW;
  const deadline = setTimeout(() => {
    abort.abort(new Error(`the outbox run did not finish within ${(limitMs / MS_PER_S).toFixed(0)} s`));
  }, limitMs);
  const onInterrupt = (): void => {
    abort.abort(new Error('interrupted (SIGINT)'));
  };
  process.once('SIGINT', onInterrupt);
  try {
    out(
      `SMS outbox: ${options.outboxRows} rows, ${options.outboxWorkers} worker${options.outboxWorkers === 1 ? '' : 's'}, local Twilio stand-in\n`,
    );
    const figures = await runOutboxBench({
      rows: options.outboxRows,
      workers: options.outboxWorkers,
      signal: abort.signal,
      out,
    });
    out(formatOutboxReport(figures));
    return 0;
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * Reference, service, reference, service, …: alternating spreads whatever else the machine does over both, and the
 * median of each target's runs is what the targets are judged on. Then the barge-in run, service only.
 */
async function runPairs(options: BenchOptions): Promise<number> {
  const targets: readonly BenchTarget[] =
    options.before !== undefined
      ? ['before', 'service']
      : options.target !== 'both'
        ? [options.target]
        : options.floor
          ? ['floor', 'reference', 'service']
          : ['reference', 'service'];
  const runs: BridgeRun[] = [];
  for (let pair = 1; pair <= options.pairs; pair += 1) {
    for (const target of targets) {
      const label = `${options.target === 'both' ? 'pair' : 'run'} ${pair}/${options.pairs}: ${target}`;
      out(`\n${label}…\n`);
      const { figures } = await runBridge(options, {
        target,
        label,
        calls: options.calls,
        seconds: options.seconds,
        bargeIn: false,
      });
      runs.push({ target, pair, figures });
    }
  }
  let bargeIn: BargeInFigures | undefined;
  if (options.target !== 'reference' && options.bargeInCalls > 0) {
    out('\nbarge-in: service…\n');
    ({ bargeIn } = await runBridge(options, {
      target: 'service',
      label: 'barge-in: service',
      calls: options.bargeInCalls,
      seconds: Math.max(BARGE_IN_SECONDS, Math.ceil(options.rampSeconds) + 2 * STEADY_SETTLE_SECONDS),
      bargeIn: true,
    }));
  }
  if (options.json !== undefined) {
    // The file's contract names the reference and the service only (bench/latency-sweep.ts reads it).
    const compared = runs.filter((r) => r.target === 'reference' || r.target === 'service');
    await writeFile(options.json, benchJson({ cpus: availableParallelism(), node: process.version }, compared));
    out(`figures of every run written to ${options.json}\n`);
  }
  out('\n');
  if (options.floor) out(formatFloor(runs));
  if (options.before !== undefined) out(formatBeforeAfter(runs, options.before, options.after));
  else
    out(
      formatSideBySide(compareRuns(runs, bargeIn), {
        reference: runs.filter((r) => r.target === 'reference').length,
        service: runs.filter((r) => r.target === 'service').length,
      }),
    );
  return 0;
}

async function runSelected(options: BenchOptions): Promise<number> {
  if (options.only !== 'outbox') {
    const code = await runPairs(options);
    if (code !== 0) return code;
  }
  // The outbox benchmark has its own workers and no cluster: --cluster measures the bridge only.
  if (options.only !== 'bridge' && options.cluster === undefined && options.target !== 'reference') {
    if (options.only === undefined) out('\n');
    return runOutbox(options);
  }
  return 0;
}

async function tail(file: string, lines = 10): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

const parsed = parseBenchOptions(process.argv.slice(2));
if (!parsed.ok) {
  process.stderr.write(`${parsed.problem}\n\n${USAGE}`);
  process.exitCode = 2;
} else if (parsed.options.help) {
  out(USAGE);
} else {
  runSelected(parsed.options).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
      // Whatever still holds the loop (a stuck socket) must not keep a failed bench alive.
      setTimeout(() => {
        process.exit(1);
      }, CLEANUP_LIMIT_MS).unref();
    },
  );
}
