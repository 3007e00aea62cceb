import type { SecondOfLoad } from './process-timeline.ts';
import type { DirectionSummary, LatencySummary } from './stream-ledger.ts';

/** The bench's figures and the table it prints. Pure. */

export const TARGET_P99_MS = 5;

export interface BenchFigures {
  readonly calls: number;
  readonly connected: number;
  readonly seconds: number;
  readonly rampSeconds: number;
  readonly deltaMs: number;
  readonly steadySeconds: number;
  /** Caller → model. */
  readonly inbound: DirectionSummary;
  /** Model → caller. */
  readonly outbound: DirectionSummary;
  /** The voice webhook of each call of the run, during the ramp. */
  readonly webhook: LatencySummary;
  /** After the run, on the same process: signed webhooks one at a time (undefined: not measured). */
  readonly webhookSingle?: { readonly latency: LatencySummary; readonly errors: number };
  /** After the run, on the same process: signed webhooks at a fixed rate, open loop. */
  readonly webhookLoad?: WebhookLoadFigures;
  /** Each call's `start` sent → its first forwarded agent audio read. */
  readonly firstAudio: LatencySummary;
  readonly callProblems: readonly string[];
  readonly service: {
    readonly cpuPercentOfCore: number;
    readonly rssIdleBytes: number;
    readonly rssLoadBytes: number;
    readonly warnings: number;
  };
  readonly harness: {
    readonly cpuPercentOfCore: number;
    /** Event-loop delay beyond the sampler's own interval. */
    readonly loopDelayP99Ms: number;
    readonly maxSendLagMs: number;
    /** Everything else the machine did in the steady window (other processes, the kernel's interrupts): it competes for the same cores. */
    readonly otherCpuPercentOfCore: number;
    /** The same over the whole run, ramp included. */
    readonly otherCpuWholeRunPercentOfCore: number;
  };
  readonly machine: { readonly cpus: number; readonly node: string };
}

export interface WebhookLoadFigures {
  readonly perSecond: number;
  readonly seconds: number;
  readonly sent: number;
  /** Answers other than 200 with a media stream, and requests that failed. */
  readonly errors: number;
  /** Every request's time to its answer, errors included. */
  readonly latency: LatencySummary;
}

export interface Verdict {
  readonly met: boolean;
  readonly reasons: readonly string[];
}

/** Loss, order and routing count over the whole run either way; latency over the whole run or the steady window only. */
export function judge(f: BenchFigures, window: 'whole run' | 'steady'): Verdict {
  const reasons: string[] = [];
  if (f.connected < f.calls) reasons.push(`${f.calls - f.connected} of ${f.calls} calls never connected`);
  for (const [name, d] of [
    ['caller→model', f.inbound],
    ['model→caller', f.outbound],
  ] as const) {
    if (d.lost > 0) reasons.push(`${name}: ${d.lost} frames lost`);
    if (d.reordered > 0) reasons.push(`${name}: ${d.reordered} frames reordered`);
    if (d.misrouted > 0) reasons.push(`${name}: ${d.misrouted} frames reached the wrong call`);
    const p99 = window === 'steady' ? d.latencySteady.p99 : d.latencyAll.p99;
    if (!(p99 < TARGET_P99_MS)) reasons.push(`${name}: p99 ${ms(p99)} ms is not under ${TARGET_P99_MS} ms`);
  }
  return { met: reasons.length === 0, reasons };
}

/** Above this, other work on the machine competed for the cores and the figures say more about it than about the service. */
const BUSY_MACHINE_PERCENT = 20;

const KIB = 1024;
const MIB = KIB * KIB;
const SECOND_MS = 1000;
const PERCENT_OF_CORE = 100;
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '-');
const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
const count = (value: number): string => value.toLocaleString('en-US');

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function webhookRows(f: BenchFigures): string[][] {
  const rows: string[][] = [];
  if (f.webhookSingle !== undefined)
    rows.push([
      `voice webhook, ${f.webhookSingle.latency.count} one at a time: p50 / p95 ms`,
      ms(f.webhookSingle.latency.p50),
      ms(f.webhookSingle.latency.p95),
    ]);
  if (f.webhookLoad !== undefined) {
    const l = f.webhookLoad;
    rows.push(
      [`voice webhook, ${l.perSecond}/s for ${l.seconds} s: p50 / p95 ms`, ms(l.latency.p50), ms(l.latency.p95)],
      ['  p99 ms / errors', ms(l.latency.p99), `${count(l.errors)} of ${count(l.sent)}`],
    );
  }
  return rows;
}

/** A few lines per run, for the runs of a side-by-side comparison. */
export function formatRunSummary(label: string, f: BenchFigures): string {
  const perCallCpuMs = (f.service.cpuPercentOfCore / PERCENT_OF_CORE) * (SECOND_MS / f.calls);
  const rssKib = (f.service.rssLoadBytes - f.service.rssIdleBytes) / f.calls / KIB;
  const way = (name: string, d: DirectionSummary): string =>
    `${name} lost ${count(d.lost)} reordered ${count(d.reordered)}, p99 whole run ${ms(d.latencyAll.p99)} / steady ${ms(d.latencySteady.p99)} ms`;
  const lines = [
    `${label}: ${f.connected}/${f.calls} calls connected; CPU ${perCallCpuMs.toFixed(3)} ms per call-second (${f.service.cpuPercentOfCore.toFixed(1)} % of a core), RSS ${rssKib.toFixed(0)} KiB per call`,
    `  ${way('caller→model', f.inbound)}`,
    `  ${way('model→caller', f.outbound)}`,
    `  first agent audio p50 ${ms(f.firstAudio.p50)} / p95 ${ms(f.firstAudio.p95)} / max ${ms(f.firstAudio.max)} ms`,
  ];
  if (f.webhookSingle !== undefined && f.webhookLoad !== undefined)
    lines.push(
      `  webhooks: one at a time p50 ${ms(f.webhookSingle.latency.p50)} / p95 ${ms(f.webhookSingle.latency.p95)} ms` +
        `${f.webhookSingle.errors > 0 ? ` (${f.webhookSingle.errors} errors)` : ''};` +
        ` ${f.webhookLoad.perSecond}/s p50 ${ms(f.webhookLoad.latency.p50)} / p95 ${ms(f.webhookLoad.latency.p95)} / p99 ${ms(f.webhookLoad.latency.p99)} ms,` +
        ` ${count(f.webhookLoad.errors)} errors of ${count(f.webhookLoad.sent)}`,
    );
  if (f.service.warnings > 0) lines.push(`  ${count(f.service.warnings)} warn/error log lines`);
  const other = Math.max(f.harness.otherCpuPercentOfCore, f.harness.otherCpuWholeRunPercentOfCore);
  if (other > BUSY_MACHINE_PERCENT)
    lines.push(`  WARNING: other work on the machine used up to ${other.toFixed(0)}% of a core: not representative`);
  if (f.callProblems.length > 0)
    lines.push(`  call problems (${f.callProblems.length}): ${f.callProblems.slice(0, 3).join('; ')}`);
  return `${lines.join('\n')}\n`;
}

export function formatReport(f: BenchFigures): string {
  const whole = judge(f, 'whole run');
  const steady = judge(f, 'steady');
  const perCallCpu = f.service.cpuPercentOfCore / f.calls;
  const rssDelta = Math.max(0, f.service.rssLoadBytes - f.service.rssIdleBytes);
  const direction = (name: string, d: DirectionSummary, unit: string): string[][] => [
    [`${name} (${unit})`, '', ''],
    ['  sent / received', count(d.sent), count(d.received)],
    ['  lost / reordered', count(d.lost), count(d.reordered)],
    ...(d.lost > 0 ? [["  of the lost, in a stream's first second", count(d.lostEarly), '']] : []),
    ['  duplicated / misrouted', count(d.duplicated), count(d.misrouted)],
    ['  added latency, whole run: p50 / p99 ms', ms(d.latencyAll.p50), ms(d.latencyAll.p99)],
    ['  added latency, whole run: max ms', ms(d.latencyAll.max), ''],
    [
      `  added latency, steady ${f.steadySeconds.toFixed(1)} s: p50 / p99 ms`,
      ms(d.latencySteady.p50),
      ms(d.latencySteady.p99),
    ],
    ['  added latency, steady: max ms', ms(d.latencySteady.max), ''],
  ];
  const rows: string[][] = [
    ['', '', ''],
    ['calls (connected)', `${f.calls} (${f.connected})`, ''],
    ['audio per call / ramp', `${f.seconds} s`, `${f.rampSeconds} s`],
    ...direction('caller → model', f.inbound, '20 ms frames'),
    ...direction('model → caller', f.outbound, `${f.deltaMs} ms deltas`),
    ['voice webhook during the ramp: p50 / p99 ms', ms(f.webhook.p50), ms(f.webhook.p99)],
    ...webhookRows(f),
    ['first agent audio: p50 / p95 ms', ms(f.firstAudio.p50), ms(f.firstAudio.p95)],
    ['first agent audio: max ms', ms(f.firstAudio.max), ''],
    ['service CPU, % of one core: per call / total', perCallCpu.toFixed(2), f.service.cpuPercentOfCore.toFixed(1)],
    ['service RSS MiB: per call / under load', (rssDelta / f.calls / MIB).toFixed(3), mib(f.service.rssLoadBytes)],
    ['service RSS MiB: idle', mib(f.service.rssIdleBytes), ''],
    ['service warn/error log lines', count(f.service.warnings), ''],
    [
      'bench process / rest of machine CPU (steady), % of a core',
      f.harness.cpuPercentOfCore.toFixed(1),
      f.harness.otherCpuPercentOfCore.toFixed(1),
    ],
    ['rest of machine CPU, whole run, % of a core', f.harness.otherCpuWholeRunPercentOfCore.toFixed(1), ''],
    ['bench event-loop delay p99 / max send lag ms', ms(f.harness.loopDelayP99Ms), ms(f.harness.maxSendLagMs)],
    ['machine', `${f.machine.cpus} cpus`, f.machine.node],
  ];
  const lines = [
    'PermitLine bridge benchmark',
    table(rows),
    '',
    `Targets: 0 frames lost or reordered, p99 added latency < ${TARGET_P99_MS} ms each way`,
    `  whole run, ramp included: ${whole.met ? 'MET' : 'NOT MET'}`,
    ...whole.reasons.map((reason) => `    - ${reason}`),
    `  steady state (every call streaming, p99 over that window): ${steady.met ? 'MET' : 'NOT MET'}`,
    ...steady.reasons.map((reason) => `    - ${reason}`),
  ];
  const other = Math.max(f.harness.otherCpuPercentOfCore, f.harness.otherCpuWholeRunPercentOfCore);
  if (other > BUSY_MACHINE_PERCENT) {
    lines.push(
      `WARNING: other work on the machine used up to ${other.toFixed(0)}% of a core during the run; these figures are not representative.`,
    );
  }
  for (const [name, d] of [
    ['caller→model', f.inbound],
    ['model→caller', f.outbound],
  ] as const) {
    if (d.lost > 0)
      lines.push(`Lost ${name} frames (stream#sequence, first ${d.lostExamples.length}): ${d.lostExamples.join(' ')}`);
  }
  if (f.callProblems.length > 0)
    lines.push(
      `Call problems (${f.callProblems.length}, first 10):`,
      ...f.callProblems.slice(0, 10).map((p) => `  - ${p}`),
    );
  lines.push(
    '',
    'Added latency = time from the bench writing a frame to one socket to reading it from the other, on one clock:',
    "two loopback hops plus the service's parsing, validation, re-encoding and TLS, plus any scheduling delay in either",
    'process (both share the machine). CPU per call = service CPU seconds / wall seconds / calls over the steady window.',
  );
  return `${lines.join('\n')}\n`;
}

/** One line per second of the run: when the tail latency happens, and how busy each process was then. */
export function formatTimeline(
  inbound: readonly LatencySummary[],
  outbound: readonly LatencySummary[],
  load: readonly SecondOfLoad[],
  runStartMs: number,
): string {
  const rows: string[][] = [
    [
      's',
      'in n',
      'in p50',
      'in p99',
      'in max',
      'out n',
      'out p50',
      'out p99',
      'out max',
      'svc cpu%',
      'bench cpu%',
      'other cpu%',
      'bench lag',
    ],
  ];
  const firstSecond = Math.floor(runStartMs / SECOND_MS);
  const pct = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(0));
  for (let second = firstSecond; second < Math.max(inbound.length, outbound.length); second += 1) {
    const i = inbound[second];
    const o = outbound[second];
    const l = load[second - firstSecond];
    rows.push([
      String(second - firstSecond),
      count(i?.count ?? 0),
      ms(i?.p50 ?? Number.NaN),
      ms(i?.p99 ?? Number.NaN),
      ms(i?.max ?? Number.NaN),
      count(o?.count ?? 0),
      ms(o?.p50 ?? Number.NaN),
      ms(o?.p99 ?? Number.NaN),
      ms(o?.max ?? Number.NaN),
      pct(l?.serviceCpu),
      pct(l?.benchCpu),
      pct(l?.otherCpu),
      ms(l?.benchLagMaxMs ?? Number.NaN),
    ]);
  }
  return `By second of the run (latency in ms by send time; in = caller→model, out = model→caller; bench lag = worst event-loop lateness):\n${table(rows)}\n`;
}

/** The SMS outbox drain (bench/outbox-bench.ts). */
export interface OutboxFigures {
  readonly rows: number;
  readonly workers: number;
  /** Not part of the figure: how long queuing the rows took. */
  readonly seedSeconds: number;
  /** Wall time of every worker's drain(), run at once. */
  readonly drainSeconds: number;
  /** Rows the workers' drain() calls said they handled, in total and each. */
  readonly handled: number;
  readonly handledPerWorker: readonly number[];
  /** POSTs to the stand-in's Messages list: one per row when every row is sent exactly once. */
  readonly createRequests: number;
  readonly messagesAtStandIn: number;
  /** Distinct recipient + body pairs among them (every row's body names its own reference). */
  readonly distinctMessages: number;
  readonly outbox: Readonly<Record<'pending' | 'sending' | 'sent' | 'failed', number>>;
  /** User + system CPU of the bench process over the drain: the worker, the database driver and the stand-in together. */
  readonly cpuSeconds: number;
  /** Busy CPU seconds of everything else on the machine over the drain: it competed for the same cores. */
  readonly otherCpuSeconds: number;
  readonly machine: { readonly cpus: number; readonly node: string };
}

/** Every row reached the stand-in once, each as its own message, and the outbox says so. */
export function sentExactlyOnce(f: OutboxFigures): boolean {
  return (
    f.createRequests === f.rows &&
    f.messagesAtStandIn === f.rows &&
    f.distinctMessages === f.rows &&
    f.outbox.sent === f.rows &&
    f.handled === f.rows
  );
}

export function formatOutboxReport(f: OutboxFigures): string {
  const exactlyOnce = sentExactlyOnce(f);
  const rows: string[][] = [
    ['', '', ''],
    ['rows / workers', count(f.rows), String(f.workers)],
    ['drain seconds', f.drainSeconds.toFixed(2)],
    ['rows per second', count(Math.round(f.rows / f.drainSeconds))],
    ['stand-in create requests', count(f.createRequests)],
    ['sent exactly once', exactlyOnce ? 'yes' : 'NO'],
    ['CPU ms per row (bench process)', ((f.cpuSeconds * SECOND_MS) / f.rows).toFixed(3)],
    [
      'bench process / rest of machine CPU, % of a core',
      ((f.cpuSeconds / f.drainSeconds) * PERCENT_OF_CORE).toFixed(0),
      ((f.otherCpuSeconds / f.drainSeconds) * PERCENT_OF_CORE).toFixed(0),
    ],
    ['rows handled by each worker', f.handledPerWorker.map(count).join(' / ')],
    ['seeding seconds (not timed)', f.seedSeconds.toFixed(2)],
    ['machine', `${f.machine.cpus} cpus`, f.machine.node],
  ];
  const lines = ['SMS outbox', table(rows)];
  const other = (f.otherCpuSeconds / f.drainSeconds) * PERCENT_OF_CORE;
  if (other > BUSY_MACHINE_PERCENT)
    lines.push(
      `WARNING: other work on the machine used ${other.toFixed(0)}% of a core during the drain; these figures are not representative.`,
    );
  if (!exactlyOnce) {
    lines.push(
      `  outbox: ${count(f.outbox.sent)} sent, ${count(f.outbox.pending)} pending, ${count(f.outbox.sending)} sending, ${count(f.outbox.failed)} failed;` +
        ` stand-in: ${count(f.messagesAtStandIn)} messages, ${count(f.distinctMessages)} distinct; drain() handled ${count(f.handled)}`,
    );
  }
  lines.push(
    '',
    "Rows per second = rows / wall time of every worker's drain() at once, rate limit lifted (SMS_RATE_PER_SECOND=0), against",
    'the local Twilio stand-in in the same process. CPU covers the bench process: worker, libSQL driver and stand-in together.',
  );
  return `${lines.join('\n')}\n`;
}
