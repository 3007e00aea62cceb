import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { renderLatencyPlot, type SweepPoint } from './latency-plot.ts';
import { parseSweepOptions, SWEEP_USAGE, type SweepOptions } from './latency-sweep-options.ts';
import {
  describeSweep,
  formatSweepJson,
  readBenchJson,
  readSweepJson,
  type Machine,
  type SweepRecord,
} from './latency-sweep-points.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the paths are the operator's --out/--out-json/--from-json and the sweep's own temporary directory */

/**
 * `npm run bench:sweep`: docs/performance.md's plot of p99 added latency against concurrent calls. One bridge
 * benchmark per load (`bridge-bench.ts --only bridge --pairs P --json FILE`: the service and the reference
 * alternated, the same callers), the p99 each way from each run's --json file, then bench/latency-plot.ts draws
 * them. A measurement, like npm run bench: it exits 0 whatever the figures, non-zero only when a run fails.
 */

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const out = (text: string): void => {
  process.stdout.write(text);
};

/** Copies a child's output line by line, each line tagged with its load, so interleaved progress stays readable. */
function relay(stream: NodeJS.ReadableStream, prefix: string, write: (text: string) => void): void {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    write(`${prefix} ${line}\n`);
  });
}

async function runBench(calls: number, options: SweepOptions, jsonFile: string): Promise<number | string> {
  const args = [
    'bench/bridge-bench.ts',
    '--only',
    'bridge',
    '--calls',
    String(calls),
    '--seconds',
    String(options.seconds),
    '--pairs',
    String(options.pairs),
    '--json',
    jsonFile,
  ];
  // process.execPath: the project's pinned Node, which runs the .ts entry natively.
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${calls} calls]`;
  relay(child.stdout, prefix, out);
  relay(child.stderr, prefix, (text) => process.stderr.write(text));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return code ?? signal ?? 'unknown';
}

async function save(file: string, content: string): Promise<void> {
  await mkdir(dirname(resolve(file)), { recursive: true });
  await writeFile(file, content);
}

async function draw(record: SweepRecord, options: SweepOptions): Promise<void> {
  const svg = renderLatencyPlot(record.points, {
    window: options.window,
    note: describeSweep(record),
    ...(options.targetMs === undefined ? {} : { targetMs: options.targetMs }),
  });
  await save(options.out, svg);
  out(`wrote ${options.out} (${record.points.length} runs)\n`);
}

async function sweep(options: SweepOptions): Promise<number> {
  const scratch = await mkdtemp(join(tmpdir(), 'permitline-sweep-'));
  const points: SweepPoint[] = [];
  let machine: Machine | undefined;
  const record = (): SweepRecord => ({
    version: 1,
    machine,
    seconds: options.seconds,
    pairs: options.pairs,
    points,
  });
  try {
    out(
      `sweep: ${options.calls.join(', ')} calls, ${options.seconds} s each, ${options.pairs} service/reference pair${options.pairs === 1 ? '' : 's'} per load\n`,
    );
    for (const calls of options.calls) {
      const jsonFile = join(scratch, `bench-${calls}.json`);
      const code = await runBench(calls, options, jsonFile);
      if (code !== 0) {
        process.stderr.write(
          `bench:sweep: the bench at ${calls} calls ended with ${code}; its output is above.${points.length > 0 && options.outJson !== undefined ? ` The loads before it are saved in ${options.outJson}.` : ''}\n`,
        );
        return 1;
      }
      const text = await readFile(jsonFile, 'utf8').catch(() => undefined);
      if (text === undefined) {
        process.stderr.write(
          `bench:sweep: the bench at ${calls} calls wrote no --json file: is bench/bridge-bench.ts new enough to have --json?\n`,
        );
        return 1;
      }
      const read = readBenchJson(text);
      if (!read.ok) {
        process.stderr.write(`bench:sweep: at ${calls} calls, ${read.problem}\n`);
        return 1;
      }
      machine ??= read.value.machine;
      points.push(...read.value.points);
      // After every load, so an interrupted sweep keeps what it measured.
      if (options.outJson !== undefined) await save(options.outJson, formatSweepJson(record()));
    }
    if (options.outJson !== undefined) out(`wrote ${options.outJson}\n`);
    await draw(record(), options);
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function redraw(file: string, options: SweepOptions): Promise<number> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    process.stderr.write(
      `bench:sweep: cannot read --from-json ${file} (${error instanceof Error ? error.message : String(error)}); save one with --out-json first\n`,
    );
    return undefined;
  });
  if (text === undefined) return 1;
  const read = readSweepJson(text);
  if (!read.ok) {
    process.stderr.write(`bench:sweep: ${file}: ${read.problem}\n`);
    return 1;
  }
  await draw(read.value, options);
  return 0;
}

const parsed = parseSweepOptions(process.argv.slice(2));
if (!parsed.ok) {
  process.stderr.write(`${parsed.problem}\n\n${SWEEP_USAGE}`);
  process.exitCode = 2;
} else if (parsed.options.help) {
  out(SWEEP_USAGE);
} else {
  const options = parsed.options;
  (options.fromJson === undefined ? sweep(options) : redraw(options.fromJson, options)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench:sweep failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
