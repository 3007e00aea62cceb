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
  readonly webhook: LatencySummary;
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
  };
  readonly machine: { readonly cpus: number; readonly node: string };
}

export interface Verdict {
  readonly met: boolean;
  readonly reasons: readonly string[];
}

export function judge(f: BenchFigures): Verdict {
  const reasons: string[] = [];
  if (f.connected < f.calls) reasons.push(`${f.calls - f.connected} of ${f.calls} calls never connected`);
  for (const [name, d] of [['caller→model', f.inbound], ['model→caller', f.outbound]] as const) {
    if (d.lost > 0) reasons.push(`${name}: ${d.lost} frames lost`);
    if (d.reordered > 0) reasons.push(`${name}: ${d.reordered} frames reordered`);
    if (d.misrouted > 0) reasons.push(`${name}: ${d.misrouted} frames reached the wrong call`);
    if (!(d.latencyAll.p99 < TARGET_P99_MS)) reasons.push(`${name}: p99 ${ms(d.latencyAll.p99)} ms is not under ${TARGET_P99_MS} ms`);
  }
  return { met: reasons.length === 0, reasons };
}

const MIB = 1024 * 1024;
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '-');
const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
const count = (value: number): string => value.toLocaleString('en-US');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function formatReport(f: BenchFigures, verdict: Verdict): string {
  const perCallCpu = f.service.cpuPercentOfCore / f.calls;
  const rssDelta = Math.max(0, f.service.rssLoadBytes - f.service.rssIdleBytes);
  const direction = (name: string, d: DirectionSummary, unit: string): string[][] => [
    [`${name} (${unit})`, '', ''],
    ['  sent / received', count(d.sent), count(d.received)],
    ['  lost / reordered', count(d.lost), count(d.reordered)],
    ...(d.lost > 0 ? [['  lost in a stream\'s first second / examples', count(d.lostEarly), d.lostExamples.join(' ')]] : []),
    ['  duplicated / misrouted', count(d.duplicated), count(d.misrouted)],
    ['  added latency, whole run: p50 / p99 ms', ms(d.latencyAll.p50), ms(d.latencyAll.p99)],
    ['  added latency, whole run: max ms', ms(d.latencyAll.max), ''],
    [`  added latency, steady ${f.steadySeconds.toFixed(1)} s: p50 / p99 ms`, ms(d.latencySteady.p50), ms(d.latencySteady.p99)],
    ['  added latency, steady: max ms', ms(d.latencySteady.max), ''],
  ];
  const rows: string[][] = [
    ['', '', ''],
    ['calls (connected)', `${f.calls} (${f.connected})`, ''],
    ['audio per call / ramp', `${f.seconds} s`, `${f.rampSeconds} s`],
    ...direction('caller → model', f.inbound, '20 ms frames'),
    ...direction('model → caller', f.outbound, `${f.deltaMs} ms deltas`),
    ['voice webhook: p50 / p99 ms', ms(f.webhook.p50), ms(f.webhook.p99)],
    ['service CPU, % of one core: per call / total', perCallCpu.toFixed(2), f.service.cpuPercentOfCore.toFixed(1)],
    ['service RSS MiB: per call / under load', (rssDelta / f.calls / MIB).toFixed(3), mib(f.service.rssLoadBytes)],
    ['service RSS MiB: idle', mib(f.service.rssIdleBytes), ''],
    ['service warn/error log lines', count(f.service.warnings), ''],
    ['bench process CPU, % of one core', f.harness.cpuPercentOfCore.toFixed(1), ''],
    ['bench event-loop delay p99 / max send lag ms', ms(f.harness.loopDelayP99Ms), ms(f.harness.maxSendLagMs)],
    ['machine', `${f.machine.cpus} cpus`, f.machine.node],
  ];
  const lines = [
    'PermitLine bridge benchmark',
    table(rows),
    '',
    `Targets (0 lost, 0 reordered, p99 < ${TARGET_P99_MS} ms each way over the whole run): ${verdict.met ? 'MET' : 'NOT MET'}`,
    ...verdict.reasons.map((reason) => `  - ${reason}`),
  ];
  if (f.callProblems.length > 0) lines.push(`Call problems (${f.callProblems.length}, first 10):`, ...f.callProblems.slice(0, 10).map((p) => `  - ${p}`));
  lines.push(
    '',
    'Added latency = time from the bench writing a frame to one socket to reading it from the other, on one clock:',
    'two loopback hops plus the service\'s parsing, validation, re-encoding and TLS, plus any scheduling delay in either',
    'process (both share the machine). CPU per call = service CPU seconds / wall seconds / calls over the steady window.',
  );
  return `${lines.join('\n')}\n`;
}
