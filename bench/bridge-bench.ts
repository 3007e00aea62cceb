import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createLocalCertificate } from '../src/sim/tls-certificate.ts';
import { FRAME_MS } from '../src/voice/media-stream-messages.ts';
import { runBenchCall, type BenchCallResult } from './bench-caller.ts';
import { startBenchModelServer, type BenchModelServer } from './bench-model-server.ts';
import { parseBenchOptions, STEADY_SETTLE_SECONDS, USAGE, type BenchOptions } from './bench-options.ts';
import { formatReport, judge, type BenchFigures } from './bench-report.ts';
import { freePort, startServiceProcess, type ServiceProcess, type ServiceSample } from './service-process.ts';
import { DirectionLedger, summarizeLatency } from './stream-ledger.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the bench reads and writes only files in the temporary directory it created */

/**
 * `npm run bench`: N concurrent simulated calls stream 20 ms frames at real
 * time through the real service (a child process) to a model stand-in that
 * streams audio back, and the bench reports the latency the bridge adds each
 * way, frames lost or reordered, and the service's CPU and memory per call.
 * A measurement, not a test: it exits 0 whether or not the targets are met,
 * and non-zero only when the harness itself fails.
 */

const PROGRESS_INTERVAL_MS = 5_000;
/** The sampler wakes every this many ms and records the whole interval, so this much is subtracted from what it reports. */
const LOOP_DELAY_RESOLUTION_MS = 10;
const DEADLINE_SLACK_MS = 60_000;
const CLEANUP_LIMIT_MS = 15_000;
const AUTH_TOKEN = 'bench-twilio-auth-token';
const MS_PER_S = 1000;
const NS_PER_MS = 1e6;
const PERCENT = 100;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const out = (text: string): void => { process.stdout.write(text); };
const sinceMs = (originNs: bigint): number => Number(process.hrtime.bigint() - originNs) / NS_PER_MS;

async function run(options: BenchOptions): Promise<number> {
  const scratch = await mkdtemp(join(tmpdir(), 'permitline-bench-'));
  const profileDir = options.cpuProf ? await mkdtemp(join(tmpdir(), 'permitline-bench-profile-')) : undefined;
  const abort = new AbortController();
  const totalMs = (options.rampSeconds + options.seconds) * MS_PER_S + options.drainMs;
  const deadline = setTimeout(() => { abort.abort(new Error('deadline')); }, totalMs + DEADLINE_SLACK_MS);
  let service: ServiceProcess | undefined;
  let model: BenchModelServer | undefined;
  try {
    const certificate = await createLocalCertificate();
    const caFile = join(scratch, 'model-ca.pem');
    await writeFile(caFile, certificate.cert);
    const originNs = process.hrtime.bigint();
    const inbound = new DirectionLedger(originNs);
    const outbound = new DirectionLedger(originNs);
    model = await startBenchModelServer({ certificate, deltaMs: options.deltaMs, inbound, outbound });

    const port = await freePort();
    const logFile = join(scratch, 'service.log');
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
        LOG_LEVEL: 'warn',
      },
    });
    const idle = await service.sample();
    out(`service pid ${service.pid} ready at ${service.url}; idle RSS ${(idle.rssBytes / 1024 / 1024).toFixed(1)} MiB\n`);
    out(`${options.calls} calls × ${options.seconds} s, starts spread over ${options.rampSeconds} s, model deltas of ${options.deltaMs} ms\n`);

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
    const samples: { from?: ServiceSample; to?: ServiceSample; benchFrom?: NodeJS.CpuUsage; benchTo?: NodeJS.CpuUsage } = {};
    const at = (msFromOrigin: number, action: () => void): NodeJS.Timeout => setTimeout(action, Math.max(0, msFromOrigin - sinceMs(originNs)));
    const steadyTimers = [
      at(steadyFromMs, () => {
        loopDelay.enable();
        samples.benchFrom = process.cpuUsage();
        void svc.sample().then((s) => { samples.from = s; }, () => undefined);
      }),
      at(steadyToMs, () => {
        loopDelay.disable();
        samples.benchTo = process.cpuUsage(samples.benchFrom);
        void svc.sample().then((s) => { samples.to = s; peakRss = Math.max(peakRss, s.rssBytes); }, () => undefined);
      }),
    ];
    const progress = setInterval(() => {
      void svc.sample().then((s) => {
        peakRss = Math.max(peakRss, s.rssBytes);
        out(
          `  t=${((sinceMs(originNs) - runStartMs) / MS_PER_S).toFixed(0).padStart(3)} s  connected ${connected}/${options.calls}` +
            `  caller→model ${inbound.receivedSoFar}/${inbound.sentSoFar}  model→caller ${outbound.receivedSoFar}/${outbound.sentSoFar}` +
            `  service RSS ${(s.rssBytes / 1024 / 1024).toFixed(0)} MiB\n`,
        );
      }, () => undefined);
    }, PROGRESS_INTERVAL_MS);

    const calls: Promise<BenchCallResult>[] = [];
    for (let i = 0; i < options.calls; i += 1) {
      const startAt = runStartMs + (options.calls > 1 ? (rampMs * i) / options.calls : 0);
      calls.push(
        sleep(Math.max(0, startAt - sinceMs(originNs)), undefined, { signal: abort.signal })
          .then(() => runBenchCall({
            serviceUrl: svc.url,
            authToken: AUTH_TOKEN,
            callIndex: i,
            durationMs: options.seconds * MS_PER_S,
            drainMs: options.drainMs,
            inbound,
            outbound,
            stopModel: (callIndex) => model?.stopSpeakingTo(callIndex) ?? false,
            signal: abort.signal,
            onConnected: () => { connected += 1; },
          }))
          .catch((error: unknown): BenchCallResult => ({
            callIndex: i, connected: false, problems: [`not run: ${error instanceof Error ? error.message : String(error)}`], webhookMs: Number.NaN, framesSent: 0, marksEchoed: 0, clears: 0, maxSendLagMs: 0,
          })),
      );
    }
    const results = await Promise.all(calls);
    clearInterval(progress);
    for (const timer of steadyTimers) clearTimeout(timer);
    if (abort.signal.aborted) throw new Error(`the run did not finish within ${((totalMs + DEADLINE_SLACK_MS) / MS_PER_S).toFixed(0)} s`);
    if (service.exitCode() !== null) throw new Error(`the service exited during the run (${String(service.exitCode())}); see its log:\n${await tail(logFile)}`);
    const { from, to, benchFrom, benchTo } = samples;
    if (from === undefined || to === undefined || benchFrom === undefined || benchTo === undefined) throw new Error('the steady-state samples were not taken');

    const steadyWallS = Number(to.atNs - from.atNs) / NS_PER_MS / MS_PER_S;
    const logText = await readFile(logFile, 'utf8');
    const figures: BenchFigures = {
      calls: options.calls,
      connected: results.filter((r) => r.connected).length,
      seconds: options.seconds,
      rampSeconds: options.rampSeconds,
      deltaMs: options.deltaMs,
      steadySeconds: steadyWallS,
      inbound: inbound.summary(steadyFromMs, steadyToMs, MS_PER_S / FRAME_MS),
      outbound: outbound.summary(steadyFromMs, steadyToMs, MS_PER_S / options.deltaMs),
      webhook: summarizeLatency(Float64Array.from(results.map((r) => r.webhookMs).filter(Number.isFinite))),
      callProblems: results.flatMap((r) => r.problems.map((p) => `call ${r.callIndex}: ${p}`)),
      service: {
        cpuPercentOfCore: ((to.cpuSeconds - from.cpuSeconds) / steadyWallS) * PERCENT,
        rssIdleBytes: idle.rssBytes,
        rssLoadBytes: to.rssBytes,
        warnings: logText.split('\n').filter((line) => /"level":(40|50|60)/.test(line)).length,
      },
      harness: {
        cpuPercentOfCore: ((benchTo.user + benchTo.system) / 1e6 / steadyWallS) * PERCENT,
        loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS),
        maxSendLagMs: Math.max(0, ...results.map((r) => r.maxSendLagMs)),
      },
      machine: { cpus: availableParallelism(), node: process.version },
    };
    const unexpected = [...model.unexpectedEvents].map(([type, n]) => `${type} ×${n}`);
    out(formatReport(figures, judge(figures)));
    out(`service RSS peak ${(peakRss / 1024 / 1024).toFixed(1)} MiB; model stand-in connections ${model.connections}${unexpected.length > 0 ? `; unexpected client events: ${unexpected.join(', ')}` : ''}\n`);
    if (figures.service.warnings > 0) out(`service log (last lines):\n${await tail(logFile)}\n`);
    return 0;
  } finally {
    clearTimeout(deadline);
    abort.abort(new Error('bench finished'));
    await service?.stop();
    await model?.close();
    await rm(scratch, { recursive: true, force: true });
    if (profileDir !== undefined) out(`service CPU profile: ${profileDir}\n`);
  }
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
  run(parsed.options).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
      // Whatever still holds the loop (a stuck socket) must not keep a failed bench alive.
      setTimeout(() => { process.exit(1); }, CLEANUP_LIMIT_MS).unref();
    },
  );
}
