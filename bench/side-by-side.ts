import { table, type BenchFigures } from './bench-report.ts';
import type { LatencySummary } from './stream-ledger.ts';

/**
 * Issue 16's comparison: the same calls through the reference passthrough and
 * through the service, run alternately, each figure taken as the median of the
 * runs of each target, then the service's figure against its target (a ratio
 * to the reference, an absolute bound, or both). Pure.
 */

/**
 * `floor`: the reference passthrough with no JSON at all (`--bare`), what ws and TLS alone cost (`--floor`).
 * `before`: the service from another checkout (`--before DIR`), to measure what a change bought.
 */
export type BenchTarget = 'reference' | 'service' | 'floor' | 'before';

export interface BridgeRun {
  readonly target: BenchTarget;
  /** 1-based: which pair of the A B A B sequence this run belongs to. */
  readonly pair: number;
  readonly figures: BenchFigures;
}

/** What the service must reach; `ratio` is service / reference (median of each). */
export type Goal =
  | { readonly kind: 'ratio'; readonly max: number }
  | { readonly kind: 'absolute'; readonly max: number }
  | { readonly kind: 'absolute and ratio'; readonly max: number; readonly ratioMax: number }
  | { readonly kind: 'zero' }
  | { readonly kind: 'informational' };

export interface ComparedFigure {
  readonly name: string;
  readonly unit: string;
  /** NaN: not measured for this target (or not applicable: see `referenceNote`). */
  readonly reference: number;
  readonly service: number;
  readonly goal: Goal;
  /** Printed in place of the reference's figure when it has none by design (e.g. the reference does no barge-in). */
  readonly referenceNote?: string;
  /** How the runs are combined: the median of each target's runs unless said otherwise. */
  readonly combined?: 'sum';
}

export type VerdictText = 'MET' | 'NOT MET' | 'n/a' | '';

/** The median of the finite values; NaN if there are none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** service / reference; NaN when either is missing or the reference is 0 (no ratio means anything then). */
export function ratio(service: number, reference: number): number {
  if (!Number.isFinite(service) || !Number.isFinite(reference) || reference === 0) return Number.NaN;
  return service / reference;
}

/** A goal that cannot be checked (a figure missing) is n/a, never MET. */
export function verdict(figure: ComparedFigure): VerdictText {
  const { goal, service } = figure;
  if (goal.kind === 'informational') return '';
  if (!Number.isFinite(service)) return 'n/a';
  const r = ratio(service, figure.reference);
  switch (goal.kind) {
    case 'zero':
      return service === 0 ? 'MET' : 'NOT MET';
    case 'absolute':
      return service <= goal.max ? 'MET' : 'NOT MET';
    case 'ratio':
      if (!Number.isFinite(r)) return 'n/a';
      return r <= goal.max ? 'MET' : 'NOT MET';
    case 'absolute and ratio':
      // Over the absolute bound is NOT MET whatever the reference did; under it, the ratio must be known too.
      if (service > goal.max) return 'NOT MET';
      if (!Number.isFinite(r)) return 'n/a';
      return r <= goal.ratioMax ? 'MET' : 'NOT MET';
  }
}

const KIB = 1024;
const MS_PER_S = 1000;
const PERCENT = 100;

/** Service CPU ms per second of one live call, over the steady window. */
export const cpuMsPerCallSecond = (f: BenchFigures): number =>
  (f.service.cpuPercentOfCore / PERCENT) * (MS_PER_S / f.calls);

/** RSS growth from idle to the steady window's end, per live call, in KiB. */
export const rssKibPerCall = (f: BenchFigures): number =>
  (f.service.rssLoadBytes - f.service.rssIdleBytes) / f.calls / KIB;

/** Lost plus reordered frames, both ways. */
export const framesAmiss = (f: BenchFigures): number =>
  f.inbound.lost + f.inbound.reordered + f.outbound.lost + f.outbound.reordered;

export const TARGETS = {
  cpuRatio: 0.7,
  latencyRatio: 0.8,
  rssKib: 150,
  rssRatio: 0.7,
  webhookSingleP95Ms: 5,
  webhookLoadP95Ms: 10,
  firstAudioP95Ms: 150,
  bargeInP99Ms: 1,
} as const;

/** Barge-in is measured in a run of its own, service only: the naive reference does none. */
export interface BargeInFigures {
  readonly calls: number;
  readonly bargeIns: number;
  /** speech_started sent → Twilio `clear` read by the caller. */
  readonly toClear: LatencySummary;
  /** speech_started sent → `conversation.item.truncate` read by the model stand-in. */
  readonly toTruncate: LatencySummary;
  /** speech_started events the service answered with no clear or no truncate before the next one. */
  readonly unanswered: number;
}

export function compareRuns(runs: readonly BridgeRun[], bargeIn: BargeInFigures | undefined): ComparedFigure[] {
  const of = (target: BenchTarget, pick: (f: BenchFigures) => number): number =>
    median(runs.filter((r) => r.target === target).map((r) => pick(r.figures)));
  const sumOf = (target: BenchTarget, pick: (f: BenchFigures) => number): number => {
    const values = runs.filter((r) => r.target === target).map((r) => pick(r.figures));
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0);
  };
  const both = (name: string, unit: string, pick: (f: BenchFigures) => number, goal: Goal): ComparedFigure => ({
    name,
    unit,
    reference: of('reference', pick),
    service: of('service', pick),
    goal,
  });
  const info: Goal = { kind: 'informational' };
  const latencyGoal: Goal = { kind: 'ratio', max: TARGETS.latencyRatio };
  return [
    both('CPU per call-second (steady)', 'ms', cpuMsPerCallSecond, { kind: 'ratio', max: TARGETS.cpuRatio }),
    both('p99 added latency, whole run, caller→model', 'ms', (f) => f.inbound.latencyAll.p99, latencyGoal),
    both('p99 added latency, whole run, model→caller', 'ms', (f) => f.outbound.latencyAll.p99, latencyGoal),
    both('p99 added latency, steady, caller→model', 'ms', (f) => f.inbound.latencySteady.p99, info),
    both('p99 added latency, steady, model→caller', 'ms', (f) => f.outbound.latencySteady.p99, info),
    both('RSS per live call', 'KiB', rssKibPerCall, {
      kind: 'absolute and ratio',
      max: TARGETS.rssKib,
      ratioMax: TARGETS.rssRatio,
    }),
    {
      name: 'frames lost + reordered, all runs',
      unit: 'frames',
      // The reference drops the audio that comes before its model socket is open, by design: shown, not judged.
      reference: sumOf('reference', framesAmiss),
      service: sumOf('service', framesAmiss),
      goal: { kind: 'zero' },
      combined: 'sum',
    },
    both('voice webhook p95, one at a time', 'ms', (f) => f.webhookSingle?.latency.p95 ?? Number.NaN, {
      kind: 'absolute',
      max: TARGETS.webhookSingleP95Ms,
    }),
    both('voice webhook p95, 200 a second', 'ms', (f) => f.webhookLoad?.latency.p95 ?? Number.NaN, {
      kind: 'absolute',
      max: TARGETS.webhookLoadP95Ms,
    }),
    both('first agent audio p95 (start → first media)', 'ms', (f) => f.firstAudio.p95, {
      kind: 'absolute',
      max: TARGETS.firstAudioP95Ms,
    }),
    {
      name: `barge-in p99 (speech_started → clear and truncate, the later)`,
      unit: 'ms',
      reference: Number.NaN,
      referenceNote: 'n/a',
      service: bargeIn === undefined ? Number.NaN : Math.max(bargeIn.toClear.p99, bargeIn.toTruncate.p99),
      goal: { kind: 'absolute', max: TARGETS.bargeInP99Ms },
    },
  ];
}

const DECIMALS = 2;
const fixed = (value: number, digits = DECIMALS): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
/** Frames are counted, not measured: no decimals. */
const digitsFor = (unit: string): number => (unit === 'frames' ? 0 : DECIMALS);

function describeGoal(goal: Goal): string {
  switch (goal.kind) {
    case 'ratio':
      return `ratio ≤ ${goal.max}`;
    case 'absolute':
      return `≤ ${goal.max}`;
    case 'absolute and ratio':
      return `≤ ${goal.max} and ratio ≤ ${goal.ratioMax}`;
    case 'zero':
      return 'service 0';
    case 'informational':
      return '(shown only)';
  }
}

export function formatSideBySide(
  figures: readonly ComparedFigure[],
  counts: { readonly reference: number; readonly service: number },
): string {
  const rows: string[][] = [['', 'unit', 'reference', 'service', 'ratio', 'target', 'verdict']];
  for (const f of figures) {
    rows.push([
      f.name,
      f.unit,
      f.referenceNote ?? fixed(f.reference, digitsFor(f.unit)),
      fixed(f.service, digitsFor(f.unit)),
      fixed(ratio(f.service, f.reference)),
      describeGoal(f.goal),
      verdict(f),
    ]);
  }
  const verdicts = figures.map(verdict);
  const met = verdicts.filter((v) => v === 'MET').length;
  const notMet = verdicts.filter((v) => v === 'NOT MET').length;
  const unknown = verdicts.filter((v) => v === 'n/a').length;
  const runs = (n: number, target: string): string => `${n} ${target} run${n === 1 ? '' : 's'}`;
  return [
    `Side by side: median of ${runs(counts.reference, 'reference')} and ${runs(counts.service, 'service')} (ratio = service / reference)`,
    table(rows),
    `Targets: ${met} met, ${notMet} not met${unknown > 0 ? `, ${unknown} not measured (n/a)` : ''}.`,
    '',
  ].join('\n');
}

/**
 * With --floor: what a bridge that parses and builds no JSON at all costs, next to the reference and the
 * service, so a target below the floor shows as such instead of as a shortfall of the service.
 */
export function formatFloor(runs: readonly BridgeRun[]): string {
  const of = (target: BenchTarget, pick: (f: BenchFigures) => number): number =>
    median(runs.filter((r) => r.target === target).map((r) => pick(r.figures)));
  const rows: string[][] = [['', 'unit', 'floor', 'reference', 'service', 'floor / reference', 'service / floor']];
  const line = (name: string, unit: string, pick: (f: BenchFigures) => number): void => {
    const floor = of('floor', pick);
    const reference = of('reference', pick);
    const service = of('service', pick);
    rows.push([
      name,
      unit,
      fixed(floor),
      fixed(reference),
      fixed(service),
      fixed(ratio(floor, reference)),
      fixed(ratio(service, floor)),
    ]);
  };
  line('CPU per call-second (steady)', 'ms', cpuMsPerCallSecond);
  line('RSS per live call', 'KiB', rssKibPerCall);
  line('p99 added latency, whole run, caller→model', 'ms', (f) => f.inbound.latencyAll.p99);
  line('p99 added latency, whole run, model→caller', 'ms', (f) => f.outbound.latencyAll.p99);
  const n = runs.filter((r) => r.target === 'floor').length;
  return [
    `The floor (bench/reference-bridge.ts --bare: ws and TLS, no JSON), median of ${n} run${n === 1 ? '' : 's'}:`,
    table(rows),
    '',
  ].join('\n');
}

/** With --before: the service from an earlier checkout against this one, run alternately. */
export function formatBeforeAfter(runs: readonly BridgeRun[], beforeLabel: string, afterLabel?: string): string {
  const of = (target: BenchTarget, pick: (f: BenchFigures) => number): number =>
    median(runs.filter((r) => r.target === target).map((r) => pick(r.figures)));
  const rows: string[][] = [['', 'unit', 'before', 'after', 'after / before']];
  const line = (name: string, unit: string, pick: (f: BenchFigures) => number): void => {
    const before = of('before', pick);
    const after = of('service', pick);
    rows.push([name, unit, fixed(before), fixed(after), fixed(ratio(after, before))]);
  };
  line('CPU per call-second (steady)', 'ms', cpuMsPerCallSecond);
  line('RSS per live call', 'KiB', rssKibPerCall);
  line('p99 added latency, whole run, caller→model', 'ms', (f) => f.inbound.latencyAll.p99);
  line('p99 added latency, whole run, model→caller', 'ms', (f) => f.outbound.latencyAll.p99);
  line('p99 added latency, steady, caller→model', 'ms', (f) => f.inbound.latencySteady.p99);
  line('p99 added latency, steady, model→caller', 'ms', (f) => f.outbound.latencySteady.p99);
  line('voice webhook p95, one at a time', 'ms', (f) => f.webhookSingle?.latency.p95 ?? Number.NaN);
  line('voice webhook p95, 200 a second', 'ms', (f) => f.webhookLoad?.latency.p95 ?? Number.NaN);
  line('first agent audio p95', 'ms', (f) => f.firstAudio.p95);
  const n = runs.filter((r) => r.target === 'service').length;
  return [
    `Before (${beforeLabel}) and after (${afterLabel ?? 'this checkout'}), median of ${n} run${n === 1 ? '' : 's'} each, alternated:`,
    table(rows),
    '',
  ].join('\n');
}

export function formatBargeIn(b: BargeInFigures): string {
  const line = (name: string, l: LatencySummary): string =>
    `  speech_started → ${name}: p50 ${fixed(l.p50)} / p99 ${fixed(l.p99)} / max ${fixed(l.max)} ms (${l.count})`;
  return [
    `barge-in: ${b.bargeIns} speech_started over ${b.calls} calls, ${b.unanswered} not answered with both clear and truncate`,
    line('Twilio clear at the caller', b.toClear),
    line('conversation.item.truncate at the model', b.toTruncate),
    '',
  ].join('\n');
}
