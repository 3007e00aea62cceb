import { z } from 'zod';
import { PLOT_TARGETS, type SweepPoint } from './latency-plot.ts';

/**
 * The two files of npm run bench:sweep, read and written. Pure. The bench's own `--json` file (one per load) is
 * read for the few figures the plot needs; the sweep's file keeps those points, so the SVG can be redrawn from it
 * without running anything. JSON has no NaN: a figure the run did not measure is null in both.
 */

export interface Machine {
  readonly cpus: number;
  readonly node: string;
}

/** What one `bridge-bench.ts --json` file gave. */
export interface BenchRuns {
  readonly machine: Machine;
  readonly points: readonly SweepPoint[];
}

export interface SweepRecord {
  readonly version: 1;
  readonly machine: Machine | undefined;
  readonly seconds: number;
  readonly pairs: number;
  readonly points: readonly SweepPoint[];
}

const p99 = z.number().nullable();
const latency = z.object({ latencyAll: z.object({ p99 }), latencySteady: z.object({ p99 }) });
const machine = z.object({ cpus: z.number(), node: z.string() });

/** Only the fields the plot reads: the rest of BenchFigures may change without breaking the sweep. */
const BenchJson = z.object({
  version: z.literal(1),
  machine,
  runs: z.array(
    z.object({
      target: z.enum(PLOT_TARGETS),
      figures: z.object({ calls: z.number().int().positive(), inbound: latency, outbound: latency }),
    }),
  ),
});

const storedPoint = z.object({
  target: z.enum(PLOT_TARGETS),
  calls: z.number().int().positive(),
  inboundAllP99: p99,
  outboundAllP99: p99,
  inboundSteadyP99: p99,
  outboundSteadyP99: p99,
});

const SweepJson = z.object({
  version: z.literal(1),
  kind: z.literal('permitline-latency-sweep'),
  machine: machine.optional(),
  seconds: z.number(),
  pairs: z.number(),
  points: z.array(storedPoint),
});

const orNaN = (value: number | null): number => value ?? Number.NaN;

function problemsOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`).join('; ');
}

function parseJson(text: string, what: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: `${what} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

export function readBenchJson(text: string): Read<BenchRuns> {
  const json = parseJson(text, "the bench's --json file");
  if (!json.ok) return json;
  const parsed = BenchJson.safeParse(json.value);
  if (!parsed.success) {
    return {
      ok: false,
      problem: `the bench's --json file does not match the contract bench/latency-sweep-points.ts reads (${problemsOf(parsed.error)})`,
    };
  }
  return {
    ok: true,
    value: {
      machine: parsed.data.machine,
      points: parsed.data.runs.map(({ target, figures }) => ({
        target,
        calls: figures.calls,
        inboundAllP99: orNaN(figures.inbound.latencyAll.p99),
        outboundAllP99: orNaN(figures.outbound.latencyAll.p99),
        inboundSteadyP99: orNaN(figures.inbound.latencySteady.p99),
        outboundSteadyP99: orNaN(figures.outbound.latencySteady.p99),
      })),
    },
  };
}

export function formatSweepJson(record: SweepRecord): string {
  // JSON.stringify writes NaN as null, which is what readSweepJson turns back into NaN.
  return `${JSON.stringify({ ...record, kind: 'permitline-latency-sweep' }, undefined, 2)}\n`;
}

export function readSweepJson(text: string): Read<SweepRecord> {
  const json = parseJson(text, 'the sweep file');
  if (!json.ok) return json;
  const parsed = SweepJson.safeParse(json.value);
  if (!parsed.success) {
    return {
      ok: false,
      problem: `the file is not a sweep saved by npm run bench:sweep -- --out-json (${problemsOf(parsed.error)})`,
    };
  }
  const { machine: savedMachine, seconds, pairs, points } = parsed.data;
  return {
    ok: true,
    value: {
      version: 1,
      machine: savedMachine,
      seconds,
      pairs,
      points: points.map((p) => ({
        target: p.target,
        calls: p.calls,
        inboundAllP99: orNaN(p.inboundAllP99),
        outboundAllP99: orNaN(p.outboundAllP99),
        inboundSteadyP99: orNaN(p.inboundSteadyP99),
        outboundSteadyP99: orNaN(p.outboundSteadyP99),
      })),
    },
  };
}

/** The plot's second line: enough to tell two plots' conditions apart. */
export function describeSweep(record: SweepRecord): string {
  const where = record.machine === undefined ? '' : `${record.machine.cpus} CPUs, Node ${record.machine.node}; `;
  const runs =
    record.pairs > 1 ? `median of ${record.pairs} alternated pairs per load (bars: min–max)` : 'one pair per load';
  return `${where}${record.seconds} s of audio per call; ${runs}`;
}
