import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSeries, escapeXml, niceTicks, renderLatencyPlot, type SweepPoint } from '../../bench/latency-plot.ts';
import { parseSweepOptions } from '../../bench/latency-sweep-options.ts';
import { formatSweepJson, readBenchJson, readSweepJson } from '../../bench/latency-sweep-points.ts';

/** docs/performance.md's p99 plot (bench/latency-plot.ts) and the sweep that feeds it (npm run bench:sweep). */

const LOADS = [50, 100, 150, 200, 250, 300];

function point(target: SweepPoint['target'], calls: number, p99: Partial<SweepPoint> = {}): SweepPoint {
  const base = target === 'service' ? calls / 50 : calls / 25;
  return {
    target,
    calls,
    inboundAllP99: base,
    outboundAllP99: base + 0.5,
    inboundSteadyP99: base / 2,
    outboundSteadyP99: base / 2 + 0.25,
    ...p99,
  };
}

const sweep = (): SweepPoint[] => LOADS.flatMap((n) => [point('reference', n), point('service', n)]);

/** Every element opened is closed, in order: enough to catch a broken template without an XML parser. */
function unbalancedTags(svg: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^<>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (name === undefined) continue;
    if (selfClosing === '/') continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      stack.push(name);
    }
  }
  return [...problems, ...stack.map((name) => `<${name}> never closed`)];
}

/** The series' line: its path's d, split into runs of points (a new run after every gap). */
function lineOf(svg: string, id: string): [number, number][][] {
  const group = new RegExp(`<g class="series" data-series="${id}">([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '';
  const d = /<path d="([^"]*)" fill="none"/.exec(group)?.[1];
  if (d === undefined) return [];
  const runs: [number, number][][] = [];
  for (const [, command, x, y] of d.matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)) {
    if (command === 'M') runs.push([]);
    runs.at(-1)?.push([Number(x), Number(y)]);
  }
  return runs;
}

function markersOf(svg: string, id: string): number {
  const group = new RegExp(`<g class="series" data-series="${id}">([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '';
  return [...group.matchAll(/<(circle|rect) /g)].length;
}

const SERIES = ['service-inbound', 'service-outbound', 'reference-inbound', 'reference-outbound'];

describe('renderLatencyPlot', () => {
  it('draws four balanced series, one point per load each, in a fixed-size standalone SVG', () => {
    const svg = renderLatencyPlot(sweep(), { window: 'whole run' });
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('width="720" height="420"');
    expect(svg).not.toMatch(/<script|@import|<image|href=/);
    for (const id of SERIES) {
      const runs = lineOf(svg, id);
      expect(runs, id).toHaveLength(1);
      expect(runs[0], id).toHaveLength(LOADS.length);
      expect(markersOf(svg, id), id).toBe(LOADS.length);
      // x grows with the load: the points are in the sweep's order, not the input's.
      const xs = runs[0]!.map(([x]) => x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    expect(svg.match(/<g class="legend"/g)).toHaveLength(4);
    expect(svg).toContain('concurrent calls');
    expect(svg).toContain('p99 added latency (ms)');
  });

  it('the four series differ in colour and in dash pattern, so they read apart in greyscale too', () => {
    const svg = renderLatencyPlot(sweep(), { window: 'whole run' });
    const styles = SERIES.map((id) => {
      const group = new RegExp(`<g class="series" data-series="${id}">\\s*<path ([^>]*)>`).exec(svg)?.[1] ?? '';
      return {
        colour: /stroke="([^"]+)"/.exec(group)?.[1],
        dash: /stroke-dasharray="([^"]+)"/.exec(group)?.[1] ?? 'solid',
      };
    });
    expect(new Set(styles.map((s) => s.colour)).size).toBe(4);
    expect(new Set(styles.map((s) => s.dash)).size).toBe(4);
  });

  it('a load with no figure is a gap in that line, not a zero and not a line drawn past it', () => {
    const points = sweep().map((p) =>
      p.target === 'reference' && p.calls === 200 ? { ...p, inboundAllP99: Number.NaN } : p,
    );
    const svg = renderLatencyPlot(points, { window: 'whole run' });
    const runs = lineOf(svg, 'reference-inbound');
    expect(runs.map((run) => run.length)).toEqual([3, 2]);
    expect(markersOf(svg, 'reference-inbound')).toBe(LOADS.length - 1);
    // The other direction of the same run still has its point.
    expect(lineOf(svg, 'reference-outbound').map((run) => run.length)).toEqual([LOADS.length]);
    const whole = renderLatencyPlot(sweep(), { window: 'whole run' });
    const lowest = Math.max(...lineOf(whole, 'reference-inbound')[0]!.map(([, y]) => y));
    expect(Math.max(...runs.flat().map(([, y]) => y))).toBe(lowest);
  });

  it('a load one target was not run at is a gap in its lines only', () => {
    const points = sweep().filter((p) => !(p.target === 'service' && p.calls === 300));
    const svg = renderLatencyPlot(points, { window: 'whole run' });
    expect(lineOf(svg, 'service-inbound').map((run) => run.length)).toEqual([5]);
    expect(lineOf(svg, 'reference-inbound').map((run) => run.length)).toEqual([6]);
  });

  it('a series with no figure at all draws no line and says so in its legend', () => {
    const points = sweep().map((p) => (p.target === 'service' ? { ...p, outboundSteadyP99: Number.NaN } : p));
    const svg = renderLatencyPlot(points, { window: 'steady' });
    expect(lineOf(svg, 'service-outbound')).toEqual([]);
    expect(svg).toContain('service, model → caller (no data)');
    expect(unbalancedTags(svg)).toEqual([]);
  });

  it('plots the steady p99 with window steady and the whole-run p99 otherwise', () => {
    const points = [point('service', 100, { inboundAllP99: 8, inboundSteadyP99: 2 })];
    expect(buildSeries(points, 'whole run')[0]!.values[0]!.median).toBe(8);
    expect(buildSeries(points, 'steady')[0]!.values[0]!.median).toBe(2);
  });

  it('several runs at one load: the median, and a spread bar from the lowest to the highest', () => {
    const runs = [3, 9, 4].map((p99) => point('service', 100, { inboundAllP99: p99 }));
    const series = buildSeries([...runs, point('reference', 100)], 'whole run');
    expect(series[0]!.values).toEqual([{ calls: 100, median: 4, min: 3, max: 9, runs: 3 }]);
    const even = buildSeries(
      [3, 9, 4, 5].map((p99) => point('service', 100, { inboundAllP99: p99 })),
      'whole run',
    );
    expect(even[0]!.values[0]!.median).toBe(4.5);
    const svg = renderLatencyPlot([...runs, point('reference', 100)], { window: 'whole run' });
    expect(svg.match(/class="spread"/g)).toHaveLength(1);
    expect(renderLatencyPlot(sweep(), { window: 'whole run' })).not.toContain('class="spread"');
  });

  it('a NaN run among several is left out of the median, not counted as zero', () => {
    const runs = [Number.NaN, 6, 8].map((p99) => point('service', 100, { inboundAllP99: p99 }));
    expect(buildSeries(runs, 'whole run')[0]!.values[0]).toEqual({ calls: 100, median: 7, min: 6, max: 8, runs: 2 });
  });

  it('escapes text: a note with markup in it is shown, not parsed', () => {
    const svg = renderLatencyPlot(sweep(), {
      window: 'whole run',
      title: 'p99 <at> "peak" & more',
      note: "Node <v24> & 2 CPUs' worth",
      targetMs: 5,
      targetLabel: 'target < 5 ms & steady',
    });
    expect(svg).toContain('p99 &lt;at&gt; &quot;peak&quot; &amp; more');
    expect(svg).toContain('Node &lt;v24&gt; &amp; 2 CPUs&apos; worth');
    expect(svg).toContain('target &lt; 5 ms &amp; steady');
    expect(svg).not.toContain('<at>');
    expect(svg).not.toContain('<v24>');
    expect(unbalancedTags(svg)).toEqual([]);
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });

  it('draws the dashed target line only when given one, and the y axis reaches it above the data', () => {
    const without = renderLatencyPlot(sweep(), { window: 'whole run' });
    expect(without).not.toContain('class="target"');
    const points = LOADS.map((n) => point('service', n, { inboundAllP99: 1, outboundAllP99: 1 }));
    const svg = renderLatencyPlot(points, { window: 'whole run', targetMs: 20 });
    expect(svg).toMatch(/<line class="target"[^>]*stroke-dasharray=/);
    expect(svg).toContain('target 20 ms');
    const yLabels = [...svg.matchAll(/<text [^>]*text-anchor="end" fill="#222222">([\d.]+)<\/text>/g)].map((m) =>
      Number(m[1]),
    );
    expect(Math.max(...yLabels)).toBeGreaterThanOrEqual(20);
  });

  it('is deterministic: the same points in any order give the same bytes', () => {
    const points = sweep();
    const first = renderLatencyPlot(points, { window: 'whole run', targetMs: 5 });
    expect(renderLatencyPlot(points, { window: 'whole run', targetMs: 5 })).toBe(first);
    expect(renderLatencyPlot([...points].reverse(), { window: 'whole run', targetMs: 5 })).toBe(first);
  });

  it('with no points at all still draws a valid, empty chart', () => {
    const svg = renderLatencyPlot([], { window: 'whole run' });
    expect(unbalancedTags(svg)).toEqual([]);
    for (const id of SERIES) expect(lineOf(svg, id)).toEqual([]);
    expect(svg).not.toContain('NaN');
  });
});

describe('niceTicks', () => {
  it('picks round steps for the sweep and for typical p99 ranges', () => {
    expect(niceTicks(50, 300, 6).values).toEqual([50, 100, 150, 200, 250, 300]);
    expect(niceTicks(0, 25.6, 5).values).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(niceTicks(0, 4.2, 5).values).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(0, 0.9, 5)).toMatchObject({ values: [0, 0.2, 0.4, 0.6, 0.8, 1], decimals: 1 });
  });

  it('an empty or flat range still gets an axis', () => {
    expect(niceTicks(0, 0, 5).values.at(-1)).toBeGreaterThan(0);
    expect(niceTicks(0, Number.NaN, 5).values.length).toBeGreaterThan(1);
  });

  it('for any maximum: starts at 0, covers the maximum, steps of 1, 2, 2.5 or 5 × 10^k, a readable count', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100_000, noNaN: true }), (max) => {
        const { values, step } = niceTicks(0, max, 5);
        expect(values[0]).toBe(0);
        expect(values.at(-1)).toBeGreaterThanOrEqual(max);
        // Not more than one step past the maximum.
        expect(values.at(-2)).toBeLessThan(max);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 2, 2.5, 5].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
        expect(values.length).toBeGreaterThanOrEqual(3);
        expect(values.length).toBeLessThanOrEqual(9);
        // Every label is the exact multiple, with no float noise such as 0.30000000000000004.
        values.forEach((v, i) => {
          expect(Math.abs(v - i * step)).toBeLessThan(step * 1e-9);
          expect(String(v).length).toBeLessThan(12);
        });
      }),
    );
  });
});

describe('parseSweepOptions', () => {
  it('defaults: the issue loads, 15 s, one pair, the committed SVG, whole run', () => {
    expect(parseSweepOptions([])).toEqual({
      ok: true,
      options: {
        calls: [50, 100, 150, 200, 250, 300],
        seconds: 15,
        pairs: 1,
        outJson: undefined,
        fromJson: undefined,
        out: 'docs/performance-p99.svg',
        window: 'whole run',
        targetMs: undefined,
        help: false,
      },
    });
  });

  it('reads every option', () => {
    const parsed = parseSweepOptions([
      '--calls',
      '20, 40',
      '--seconds',
      '8',
      '--pairs',
      '2',
      '--out',
      '/tmp/p.svg',
      '--out-json',
      '/tmp/p.json',
      '--window',
      'steady',
      '--target-ms',
      '5',
    ]);
    expect(parsed).toMatchObject({
      ok: true,
      options: {
        calls: [20, 40],
        seconds: 8,
        pairs: 2,
        out: '/tmp/p.svg',
        outJson: '/tmp/p.json',
        window: 'steady',
        targetMs: 5,
      },
    });
  });

  it.each([
    [['--calls', '50,abc'], '--calls must be whole numbers'],
    [['--calls', '50,,100'], '--calls must be whole numbers'],
    [['--calls', '0'], '--calls must be whole numbers'],
    [['--calls', '50,50'], 'lists a load twice'],
    [['--seconds', '1.5'], '--seconds must be a whole number'],
    [['--pairs', '0'], '--pairs must be a whole number from 1'],
    [['--window', 'ramp'], '--window must be whole or steady'],
    [['--target-ms=-1'], '--target-ms must be a number'],
    [['--out', ''], '--out needs a file name'],
    [['--from-json', 'a.json', '--calls', '50'], '--from-json only redraws saved points, so --calls'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a message that says what to do', (argv, message) => {
    const parsed = parseSweepOptions(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(message);
  });

  it('--from-json alone is a redraw', () => {
    expect(parseSweepOptions(['--from-json', 'saved.json', '--target-ms', '5'])).toMatchObject({
      ok: true,
      options: { fromJson: 'saved.json', targetMs: 5 },
    });
  });
});

describe('the sweep files', () => {
  const figures = (calls: number, inAll: number | null, outAll: number | null) => ({
    calls,
    connected: calls,
    inbound: { lost: 0, latencyAll: { p50: 1, p99: inAll }, latencySteady: { p50: 1, p99: 2 } },
    outbound: { lost: 0, latencyAll: { p50: 1, p99: outAll }, latencySteady: { p50: 1, p99: null } },
  });

  it("reads the bench's --json contract, null figures as NaN, other fields ignored", () => {
    const text = JSON.stringify({
      version: 1,
      machine: { cpus: 2, node: 'v24.21.0' },
      runs: [
        { target: 'reference', pair: 1, figures: figures(200, 9.5, 11) },
        { target: 'service', pair: 1, figures: figures(200, 4.25, null) },
      ],
    });
    const read = readBenchJson(text);
    expect(read).toEqual({
      ok: true,
      value: {
        machine: { cpus: 2, node: 'v24.21.0' },
        points: [
          {
            target: 'reference',
            calls: 200,
            inboundAllP99: 9.5,
            outboundAllP99: 11,
            inboundSteadyP99: 2,
            outboundSteadyP99: Number.NaN,
          },
          {
            target: 'service',
            calls: 200,
            inboundAllP99: 4.25,
            outboundAllP99: Number.NaN,
            inboundSteadyP99: 2,
            outboundSteadyP99: Number.NaN,
          },
        ],
      },
    });
  });

  it.each([
    ['not JSON', '{', 'is not JSON'],
    [
      'an unknown target',
      JSON.stringify({
        version: 1,
        machine: { cpus: 2, node: 'v24' },
        runs: [{ target: 'cluster', figures: figures(50, 1, 1) }],
      }),
      'runs.0.target',
    ],
    [
      'a missing p99',
      JSON.stringify({
        version: 1,
        machine: { cpus: 2, node: 'v24' },
        runs: [{ target: 'service', figures: { calls: 50 } }],
      }),
      'runs.0.figures.inbound',
    ],
    ['another version', JSON.stringify({ version: 2, machine: { cpus: 2, node: 'v24' }, runs: [] }), 'version'],
  ])('refuses a bench file with %s, naming what is wrong', (_, text, where) => {
    const read = readBenchJson(text);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problem).toContain(where);
  });

  it('a saved sweep reads back the same points, NaN included', () => {
    const record = {
      version: 1 as const,
      machine: { cpus: 2, node: 'v24.21.0' },
      seconds: 15,
      pairs: 2,
      points: [point('service', 50, { outboundAllP99: Number.NaN }), point('reference', 50)],
    };
    const text = formatSweepJson(record);
    expect(text).toContain('"outboundAllP99": null');
    expect(readSweepJson(text)).toEqual({ ok: true, value: record });
    const bench = readSweepJson(JSON.stringify({ version: 1, machine: { cpus: 2, node: 'v24' }, runs: [] }));
    expect(bench.ok).toBe(false);
    if (!bench.ok) expect(bench.problem).toContain('not a sweep saved by npm run bench:sweep -- --out-json');
  });
});
