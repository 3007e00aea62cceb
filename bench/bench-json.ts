import type { BridgeRun } from './side-by-side.ts';

/**
 * `--json FILE`: every bridge run's figures, for scripts that draw from them
 * (bench/latency-sweep.ts). Pure. A figure that could not be measured is NaN
 * in the bench and null in the file, as JSON has no NaN.
 */

export const BENCH_JSON_VERSION = 1;

export interface BenchJson {
  readonly version: typeof BENCH_JSON_VERSION;
  readonly machine: { readonly cpus: number; readonly node: string };
  readonly runs: readonly BridgeRun[];
}

export function benchJson(machine: BenchJson['machine'], runs: readonly BridgeRun[]): string {
  const document: BenchJson = {
    version: BENCH_JSON_VERSION,
    machine,
    runs: runs.map(({ target, pair, figures }) => ({ target, pair, figures })),
  };
  return `${JSON.stringify(document, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}
