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
import { runBenchCall, type BenchCallResult } from './bench-caller.ts';
import { PartsWindow, startClusterTarget, type ClusterTarget } from './cluster-target.ts';
import { startBenchModelServer, type BenchModelServer } from './bench-model-server.ts';
import { parseBenchOptions, STEADY_SETTLE_SECONDS, USAGE, type BenchOptions } from './bench-options.ts';
import { formatOutboxReport, formatReport, formatTimeline, type BenchFigures } from './bench-report.ts';
import { runOutboxBench } from './outbox-bench.ts';
import { ProcessTimeline } from './process-timeline.ts';
import { startServiceProcess, type ServiceProcess } from './service-process.ts';
import { SteadyWindow } from './steady-window.ts';
import { DirectionLedger, summarizeLatency } from './stream-ledger.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the bench reads and writes only files in the temporary directory it created */

/**
 * `npm run bench`: N concurrent simulated calls stream 20 ms frames at real
 * time through the real service (a child process) to a model stand-in that
 * streams audio back, and the bench reports the latency the bridge adds each
 * way, frames lost or reordered, and the service's CPU and memory per call.
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
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const out = (text: string): void => {
  process.stdout.write(text);
};
const sinceMs = (originNs: bigint): number => Number(process.hrtime.bigint() - originNs) / NS_PER_MS;

async function run(options: BenchOptions): Promise<number> {
  const scratch = await mkdtemp(join(tmpdir(), 'permitline-bench-'));
  const profileDir = options.cpuProf ? await mkdtemp(join(tmpdir(), 'permitline-bench-profile-')) : undefined;
  const abort = new AbortController();
  const totalMs = (options.rampSeconds + options.seconds) * MS_PER_S + options.drainMs;
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
    const callMs = options.seconds * MS_PER_S;
    const inbound = new DirectionLedger(originNs, options.calls, callMs / FRAME_MS);
    const outbound = new DirectionLedger(originNs, options.calls, (callMs + options.drainMs) / options.deltaMs);
    model = await startBenchModelServer({ certificate, deltaMs: options.deltaMs, inbound, outbound });

    const metricsPort = options.metricsScrapeSeconds > 0 ? await freePort() : undefined;
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
    if (options.cluster !== undefined) {
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
    } else if (options.reference) {
      const port = await freePort();
      out('measuring the reference passthrough (bench/reference-bridge.ts), not the service\n');
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
        ],
        env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: caFile },
      });
    } else {
      const port = await freePort();
      service = await startServiceProcess({
        cwd: REPO_ROOT,
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
    out(
      clusterTarget === undefined
        ? `service pid ${service.pid} ready at ${service.url}; idle RSS ${(idle.rssBytes / 1024 / 1024).toFixed(1)} MiB\n`
        : `cluster of ${options.cluster ?? 0} ready at ${service.url} (HAProxy); instances' idle RSS together ${(idle.rssBytes / 1024 / 1024).toFixed(1)} MiB\n`,
    );
    out(
      `${options.calls} calls × ${options.seconds} s, starts spread over ${options.rampSeconds} s, model deltas of ${options.deltaMs} ms\n`,
    );

    const sampled = service;
    loadTimeline = new ProcessTimeline(clusterTarget === undefined ? service.pid : () => sampled.sample());
    await loadTimeline.start();
    // The run's clock restarts here so that the steady window is in the ledgers' time base.
    const runStartMs = sinceMs(originNs);
    const rampMs = options.rampSeconds * MS_PER_S;
    const lastStartMs = options.calls > 1 ? (rampMs * (options.calls - 1)) / options.calls : 0;
    const steadyFromMs = runStartMs + lastStartMs + STEADY_SETTLE_SECONDS * MS_PER_S;
    const steadyToMs = runStartMs + options.seconds * MS_PER_S;
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
            `  t=${((sinceMs(originNs) - runStartMs) / MS_PER_S).toFixed(0).padStart(3)} s  connected ${connected}/${options.calls}` +
              `  caller→model ${inbound.receivedSoFar}/${inbound.sentSoFar}  model→caller ${outbound.receivedSoFar}/${outbound.sentSoFar}` +
              `  service RSS ${(s.rssBytes / 1024 / 1024).toFixed(0)} MiB\n`,
          );
        },
        () => undefined,
      );
    }, PROGRESS_INTERVAL_MS);

    const calls: Promise<BenchCallResult>[] = [];
    for (let i = 0; i < options.calls; i += 1) {
      const startAt = runStartMs + (options.calls > 1 ? (rampMs * i) / options.calls : 0) + framePhaseMs(i);
      calls.push(
        sleep(Math.max(0, startAt - sinceMs(originNs)), undefined, { signal: abort.signal })
          .then(() =>
            runBenchCall({
              serviceUrl: svc.url,
              authToken: AUTH_TOKEN,
              callIndex: i,
              durationMs: options.seconds * MS_PER_S,
              drainMs: options.drainMs,
              inbound,
              outbound,
              stopModel: (callIndex) => model?.stopSpeakingTo(callIndex) ?? false,
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
    const logText = clusterTarget === undefined ? await readFile(logFile, 'utf8') : await clusterTarget.logText();
    const figures: BenchFigures = {
      calls: options.calls,
      connected: results.filter((r) => r.connected).length,
      seconds: options.seconds,
      rampSeconds: options.rampSeconds,
      deltaMs: options.deltaMs,
      steadySeconds: usage.wallSeconds,
      inbound: inbound.summary(steadyFromMs, steadyToMs, MS_PER_S / FRAME_MS),
      outbound: outbound.summary(steadyFromMs, steadyToMs, MS_PER_S / options.deltaMs),
      webhook: summarizeLatency(Float64Array.from(results.map((r) => r.webhookMs).filter(Number.isFinite))),
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
    out(formatReport(figures));
    out(
      `service RSS peak ${(peakRss / 1024 / 1024).toFixed(1)} MiB; model stand-in connections ${model.connections}${unexpected.length > 0 ? `; unexpected client events: ${unexpected.join(', ')}` : ''}\n`,
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
    return 0;
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

async function runSelected(options: BenchOptions): Promise<number> {
  if (options.only !== 'outbox') {
    const code = await run(options);
    if (code !== 0) return code;
  }
  // The outbox benchmark has its own workers and no cluster: --cluster measures the bridge only.
  if (options.only !== 'bridge' && options.cluster === undefined && !options.reference) {
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
