import { describe, expect, it } from 'vitest';
import { benchJson } from '../../bench/bench-json.ts';
import type { BenchFigures } from '../../bench/bench-report.ts';
import {
  compareRuns,
  formatBeforeAfter,
  formatFloor,
  formatSideBySide,
  median,
  ratio,
  verdict,
  type BridgeRun,
  type ComparedFigure,
} from '../../bench/side-by-side.ts';
import type { LatencySummary } from '../../bench/stream-ledger.ts';

const latency = (p99: number, p95 = p99): LatencySummary => ({ count: 10, p50: 1, p95, p99, max: p99 });

function figures(over: { cpuPercent: number; p99: number; rssPerCallKib: number; lost?: number }): BenchFigures {
  const calls = 100;
  const direction = {
    sent: 1000,
    received: 1000 - (over.lost ?? 0),
    lost: over.lost ?? 0,
    reordered: 0,
    duplicated: 0,
    misrouted: 0,
    lostEarly: 0,
    lostExamples: [],
    latencyAll: latency(over.p99),
    latencySteady: latency(over.p99 / 2),
  };
  return {
    calls,
    connected: calls,
    seconds: 20,
    rampSeconds: 5,
    deltaMs: 100,
    steadySeconds: 14,
    inbound: direction,
    outbound: direction,
    webhook: latency(3),
    webhookSingle: { latency: latency(4, 2), errors: 0 },
    webhookLoad: { perSecond: 200, seconds: 3, sent: 600, errors: 0, latency: latency(20, 12) },
    firstAudio: latency(40, 30),
    callProblems: [],
    service: {
      cpuPercentOfCore: over.cpuPercent,
      rssIdleBytes: 100 * 1024 * 1024,
      rssLoadBytes: 100 * 1024 * 1024 + over.rssPerCallKib * 1024 * calls,
      warnings: 0,
    },
    harness: {
      cpuPercentOfCore: 50,
      loopDelayP99Ms: 1,
      maxSendLagMs: 2,
      otherCpuPercentOfCore: 0,
      otherCpuWholeRunPercentOfCore: 0,
    },
    machine: { cpus: 2, node: 'v24.0.0' },
  };
}

const byName = (rows: readonly ComparedFigure[], start: string): ComparedFigure => {
  const row = rows.find((r) => r.name.startsWith(start));
  if (row === undefined) throw new Error(`no row ${start}`);
  return row;
};

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores figures that were not measured, and is NaN when none were', () => {
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe('ratio', () => {
  it('is service over reference, NaN without a reference to divide by', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('verdict', () => {
  const row = (service: number, reference: number, goal: ComparedFigure['goal']): ComparedFigure => ({
    name: 'x',
    unit: 'ms',
    service,
    reference,
    goal,
  });

  it('judges a ratio goal inclusively and an unknown ratio as n/a, never MET', () => {
    expect(verdict(row(7, 10, { kind: 'ratio', max: 0.7 }))).toBe('MET');
    expect(verdict(row(7.1, 10, { kind: 'ratio', max: 0.7 }))).toBe('NOT MET');
    expect(verdict(row(7, Number.NaN, { kind: 'ratio', max: 0.7 }))).toBe('n/a');
  });

  it('needs both the absolute bound and the ratio when the goal has both', () => {
    const goal = { kind: 'absolute and ratio', max: 150, ratioMax: 0.7 } as const;
    expect(verdict(row(100, 200, goal))).toBe('MET');
    expect(verdict(row(100, 120, goal))).toBe('NOT MET');
    expect(verdict(row(160, 1000, goal))).toBe('NOT MET');
    expect(verdict(row(160, Number.NaN, goal))).toBe('NOT MET');
  });

  it('requires exactly 0 for a zero goal, and does not judge informational rows', () => {
    expect(verdict(row(0, 5, { kind: 'zero' }))).toBe('MET');
    expect(verdict(row(1, 0, { kind: 'zero' }))).toBe('NOT MET');
    expect(verdict(row(1, 0, { kind: 'informational' }))).toBe('');
  });
});

describe('compareRuns', () => {
  const runs: BridgeRun[] = [
    { target: 'reference', pair: 1, figures: figures({ cpuPercent: 40, p99: 10, rssPerCallKib: 300 }) },
    { target: 'service', pair: 1, figures: figures({ cpuPercent: 20, p99: 6, rssPerCallKib: 100 }) },
    { target: 'reference', pair: 2, figures: figures({ cpuPercent: 60, p99: 14, rssPerCallKib: 500, lost: 3 }) },
    { target: 'service', pair: 2, figures: figures({ cpuPercent: 40, p99: 10, rssPerCallKib: 140 }) },
  ];
  const rows = compareRuns(runs, undefined);

  it('compares the median of each target: CPU per call-second in ms', () => {
    const cpu = byName(rows, 'CPU per call-second');
    // 50 % of a core over 100 calls = 5 ms of CPU per call-second; 30 % = 3 ms.
    expect(cpu.reference).toBeCloseTo(5);
    expect(cpu.service).toBeCloseTo(3);
    expect(verdict(cpu)).toBe('MET');
  });

  it('takes the whole-run p99 each way and RSS per live call in KiB', () => {
    expect(byName(rows, 'p99 added latency, whole run, caller').service).toBe(8);
    expect(verdict(byName(rows, 'p99 added latency, whole run, model'))).toBe('MET');
    const rss = byName(rows, 'RSS per live call');
    expect(rss.service).toBeCloseTo(120);
    expect(rss.reference).toBeCloseTo(400);
    expect(verdict(rss)).toBe('MET');
  });

  it('sums lost frames over every run, and judges the service only', () => {
    const amiss = byName(rows, 'frames lost');
    expect(amiss.reference).toBe(6);
    expect(amiss.service).toBe(0);
    expect(verdict(amiss)).toBe('MET');
  });

  it('leaves barge-in n/a when it was not measured, and judges it when it was', () => {
    expect(verdict(byName(rows, 'barge-in'))).toBe('n/a');
    const measured = compareRuns(runs, {
      calls: 50,
      bargeIns: 200,
      toClear: latency(0.4),
      toTruncate: latency(1.2),
      unanswered: 0,
    });
    expect(byName(measured, 'barge-in').service).toBe(1.2);
    expect(verdict(byName(measured, 'barge-in'))).toBe('NOT MET');
  });

  it('prints one line per figure with its verdict', () => {
    const text = formatSideBySide(rows, { reference: 2, service: 2 });
    expect(text).toMatch(/CPU per call-second.*0\.60\s+ratio ≤ 0\.7\s+MET/);
    expect(text).toContain('median of 2 reference runs and 2 service runs');
    // Barge-in was not measured: not counted as met.
    expect(text).toContain('not measured (n/a)');
  });
});

describe('formatFloor', () => {
  it('puts the bare passthrough beside the reference and the service, with both ratios', () => {
    const text = formatFloor([
      { target: 'floor', pair: 1, figures: figures({ cpuPercent: 30, p99: 4, rssPerCallKib: 200 }) },
      { target: 'reference', pair: 1, figures: figures({ cpuPercent: 40, p99: 5, rssPerCallKib: 250 }) },
      { target: 'service', pair: 1, figures: figures({ cpuPercent: 33, p99: 6, rssPerCallKib: 300 }) },
    ]);
    // 30 % of a core over 100 calls = 3 ms per call-second: 0.75 of the reference's 4 ms; the service is 1.10 of it.
    expect(text).toMatch(/CPU per call-second \(steady\)\s+ms\s+3\.00\s+4\.00\s+3\.30\s+0\.75\s+1\.10/);
    expect(text).toMatch(/RSS per live call\s+KiB\s+200\.00\s+250\.00\s+300\.00\s+0\.80\s+1\.50/);
    expect(text).toContain('median of 1 run:');
  });
});

describe('formatBeforeAfter', () => {
  it('gives each figure before and after a change, and after / before', () => {
    const text = formatBeforeAfter(
      [
        { target: 'before', pair: 1, figures: figures({ cpuPercent: 40, p99: 10, rssPerCallKib: 300 }) },
        { target: 'service', pair: 1, figures: figures({ cpuPercent: 30, p99: 5, rssPerCallKib: 240 }) },
      ],
      '/tmp/old',
    );
    expect(text).toContain('Before (/tmp/old)');
    expect(text).toMatch(/CPU per call-second \(steady\)\s+ms\s+4\.00\s+3\.00\s+0\.75/);
    expect(text).toMatch(/p99 added latency, whole run, caller→model\s+ms\s+10\.00\s+5\.00\s+0\.50/);
    expect(text).toMatch(/RSS per live call\s+KiB\s+300\.00\s+240\.00\s+0\.80/);
  });
});

describe('benchJson', () => {
  it('writes the runs as the contract says, with null for figures that were not measured', () => {
    const f = figures({ cpuPercent: 20, p99: Number.NaN, rssPerCallKib: 100 });
    const parsed = JSON.parse(
      benchJson({ cpus: 2, node: 'v24.0.0' }, [{ target: 'service', pair: 1, figures: f }]),
    ) as {
      version: number;
      machine: { cpus: number };
      runs: { target: string; pair: number; figures: { calls: number; inbound: { latencyAll: { p99: unknown } } } }[];
    };
    expect(parsed.version).toBe(1);
    expect(parsed.machine.cpus).toBe(2);
    expect(parsed.runs[0]?.target).toBe('service');
    expect(parsed.runs[0]?.figures.calls).toBe(100);
    expect(parsed.runs[0]?.figures.inbound.latencyAll.p99).toBeNull();
  });
});
