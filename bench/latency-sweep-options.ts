import { parseArgs } from 'node:util';
import type { LatencyWindow } from './latency-plot.ts';

/** `npm run bench:sweep -- --calls 50,100 --seconds 15`: every option has a default, the plot of docs/performance.md. */

export interface SweepOptions {
  /** The loads to run, in the order given; each is one `npm run bench -- --only bridge` run. */
  readonly calls: readonly number[];
  readonly seconds: number;
  /** Service and reference runs, alternated, per load (the bench's --pairs). */
  readonly pairs: number;
  /** Where the collected points go, so the SVG can be redrawn without running anything. */
  readonly outJson: string | undefined;
  /** Draw from a saved sweep instead of running one. */
  readonly fromJson: string | undefined;
  readonly out: string;
  readonly window: LatencyWindow;
  /** An absolute p99 to draw as a dashed line; none by default (the issue's p99 target is a ratio). */
  readonly targetMs: number | undefined;
  readonly help: boolean;
}

export const SWEEP_USAGE = `Usage: npm run bench:sweep -- [options]

Runs the bridge benchmark (service and reference passthrough alternated, the
same callers) once per load, collects the p99 added latency each way, and draws
docs/performance.md's plot of p99 against concurrent calls as an SVG.

  --calls LIST       loads to run, comma-separated (default 50,100,150,200,250,300)
  --seconds S        caller audio per call, each run (default 15)
  --pairs P          service/reference pairs per load; the plot shows their median and spread (default 1)
  --out FILE         the SVG (default docs/performance-p99.svg)
  --out-json FILE    also save the collected points, to redraw later with --from-json
  --from-json FILE   redraw the SVG from points saved by --out-json; runs nothing
  --window W         whole (default: the whole run, ramp included) or steady (every call streaming)
  --target-ms MS     draw a dashed line at this p99 (default none)
  --help             this text
`;

const DEFAULT_CALLS = [50, 100, 150, 200, 250, 300] as const;
const DEFAULTS = { seconds: 15, pairs: 1, out: 'docs/performance-p99.svg' } as const;
/** bench/bench-options.ts's limits, so a bad value is refused here before the first run rather than at the third. */
const MAX_CALLS = 5000;
const MAX_SECONDS = 3600;
const MAX_PAIRS = 10;
const MAX_TARGET_MS = 10_000;

export type ParsedSweepOptions = { ok: true; options: SweepOptions } | { ok: false; problem: string };

function wholeNumber(text: string, min: number, max: number): number | undefined {
  const value = Number(text);
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

export function parseSweepOptions(argv: readonly string[]): ParsedSweepOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        calls: { type: 'string' },
        seconds: { type: 'string' },
        pairs: { type: 'string' },
        out: { type: 'string' },
        'out-json': { type: 'string' },
        'from-json': { type: 'string' },
        window: { type: 'string' },
        'target-ms': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const problems: string[] = [];

  let calls: number[] = [...DEFAULT_CALLS];
  if (values.calls !== undefined) {
    const items = values.calls.split(',').map((item) => item.trim());
    const loads = items.map((item) => wholeNumber(item, 1, MAX_CALLS));
    const bad = items.filter((_, i) => loads[i] === undefined);
    if (bad.length > 0) {
      problems.push(
        `--calls must be whole numbers from 1 to ${MAX_CALLS}, separated by commas (e.g. 50,100,200), not "${values.calls}"`,
      );
    } else {
      calls = loads.filter((n) => n !== undefined);
      if (new Set(calls).size !== calls.length) problems.push(`--calls lists a load twice: "${values.calls}"`);
    }
  }
  const seconds = values.seconds === undefined ? DEFAULTS.seconds : wholeNumber(values.seconds, 1, MAX_SECONDS);
  if (seconds === undefined)
    problems.push(`--seconds must be a whole number from 1 to ${MAX_SECONDS}, not "${values.seconds ?? ''}"`);
  const pairs = values.pairs === undefined ? DEFAULTS.pairs : wholeNumber(values.pairs, 1, MAX_PAIRS);
  if (pairs === undefined)
    problems.push(`--pairs must be a whole number from 1 to ${MAX_PAIRS}, not "${values.pairs ?? ''}"`);

  const windowName = values.window ?? 'whole';
  if (windowName !== 'whole' && windowName !== 'steady')
    problems.push(`--window must be whole or steady, not "${windowName}"`);

  let targetMs: number | undefined;
  if (values['target-ms'] !== undefined) {
    const text = values['target-ms'];
    targetMs = Number(text);
    if (text.trim() === '' || !Number.isFinite(targetMs) || targetMs <= 0 || targetMs > MAX_TARGET_MS)
      problems.push(`--target-ms must be a number of ms above 0 and at most ${MAX_TARGET_MS}, not "${text}"`);
  }

  const fromJson = values['from-json'];
  if (fromJson !== undefined) {
    const running = (['calls', 'seconds', 'pairs', 'out-json'] as const).filter((name) => values[name] !== undefined);
    if (running.length > 0) {
      problems.push(
        `--from-json only redraws saved points, so ${running.map((name) => `--${name}`).join(', ')} would do nothing: drop ${running.length === 1 ? 'it' : 'them'}, or drop --from-json to run a new sweep`,
      );
    }
  }
  for (const name of ['out', 'out-json', 'from-json'] as const) {
    if (values[name]?.trim() === '') problems.push(`--${name} needs a file name`);
  }

  if (problems.length > 0 || seconds === undefined || pairs === undefined)
    return { ok: false, problem: problems.join('\n') };
  return {
    ok: true,
    options: {
      calls,
      seconds,
      pairs,
      outJson: values['out-json'],
      fromJson,
      out: values.out ?? DEFAULTS.out,
      window: windowName === 'steady' ? 'steady' : 'whole run',
      targetMs,
      help: values.help,
    },
  };
}
