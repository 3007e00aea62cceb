import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { z } from 'zod';

/**
 * The mutation score of each core module (docs/testing.md). Each module is its own Stryker run, against the tests
 * that reach it: a mutant of the permit rules never waits for whole simulated calls, and a module's score cannot be
 * raised by another's tests. `npm run mutation` runs them (src/cli/mutation.ts); this reads what they wrote.
 */

export const MINIMUM_SCORE = 75;

export interface CoreModule {
  /** What `npm run mutation -- <id>` names it by, and its report's name under build/mutation/. */
  readonly id: string;
  readonly name: string;
  /** Stryker's `--mutate` globs. */
  readonly mutate: readonly string[];
  /** Stryker's `--testFiles` globs: the tests each mutant of the module may be run against. */
  readonly tests: readonly string[];
}

export const CORE_MODULES: readonly CoreModule[] = [
  {
    id: 'permits',
    name: 'permit rules and spoken answers (src/permits/)',
    mutate: ['src/permits/**/*.ts', '!src/permits/catalogues/**'],
    tests: [
      'test/unit/**/*.test.ts',
      'test/integration/permit-tools.test.ts',
      'test/integration/spoken-answers.test.ts',
    ],
  },
  {
    id: 'call',
    name: 'call bridge and playback tracking',
    mutate: ['src/call/call-bridge.ts', 'src/call/playback-tracker.ts'],
    tests: [
      'test/unit/**/*.test.ts',
      // Short whole calls over real sockets: every mutant of the bridge that they reach runs them.
      'test/integration/call-bridge-events.test.ts',
      'test/integration/call-language.test.ts',
      'test/integration/staff-transfer.test.ts',
      'test/integration/single-use-streams.test.ts',
      'test/integration/voice-caller-identity.test.ts',
      'test/integration/silence-and-length.test.ts',
    ],
  },
  {
    id: 'keys',
    name: 'tokens and keys (src/keys/, stream tokens)',
    mutate: ['src/keys/**/*.ts', 'src/call/stream-tokens.ts'],
    tests: ['test/unit/**/*.test.ts', 'test/integration/single-use-streams.test.ts'],
  },
  {
    id: 'outbox',
    name: 'SMS outbox worker (claim and send)',
    mutate: ['src/sms/outbox-worker.ts'],
    tests: [
      'test/unit/**/*.test.ts',
      'test/integration/sms-outbox-worker.test.ts',
      'test/integration/sms-kill-switch.test.ts',
      'test/integration/sms-daily-cap.test.ts',
      'test/integration/sms-rate-limit.test.ts',
      'test/integration/sms-worker-metrics.test.ts',
      'test/integration/sms-end-to-end.test.ts',
    ],
  },
];

export const MUTATION_REPORTS = 'build/mutation';
export const reportPath = (module: CoreModule): string => `${MUTATION_REPORTS}/${module.id}.json`;

const mutantStatus = z.enum([
  'Killed',
  'Survived',
  'NoCoverage',
  'CompileError',
  'RuntimeError',
  'Timeout',
  'Ignored',
  'Pending',
]);

const reportSchema = z.object({
  files: z.record(z.string(), z.object({ mutants: z.array(z.object({ status: mutantStatus })) })),
});

export interface Score {
  readonly detected: number;
  readonly undetected: number;
  /** Detected over detected and undetected, in percent; undefined when there were no mutants. */
  readonly score: number | undefined;
}

export interface ModuleScore extends Score {
  readonly files: readonly ({ readonly path: string } & Score)[];
}

function score(detected: number, undetected: number): Score {
  const total = detected + undetected;
  return { detected, undetected, score: total === 0 ? undefined : (100 * detected) / total };
}

/**
 * A module's score from its Stryker report, as Stryker counts it: killed and timed-out mutants are detected,
 * survivors and mutants no test reached are not; ignored ones and ones that did not compile or run are left out.
 */
export function scoreReport(report: unknown, root: string): ModuleScore {
  const { files } = reportSchema.parse(report);
  const perFile = Object.entries(files).map(([path, file]) => {
    let detected = 0;
    let undetected = 0;
    for (const { status } of file.mutants) {
      if (status === 'Killed' || status === 'Timeout') detected += 1;
      else if (status === 'Survived' || status === 'NoCoverage') undetected += 1;
    }
    return { path: path.startsWith('/') ? relative(root, path) : path, ...score(detected, undetected) };
  });
  const sum = (pick: (s: Score) => number) => perFile.reduce((total, file) => total + pick(file), 0);
  return {
    ...score(
      sum((s) => s.detected),
      sum((s) => s.undetected),
    ),
    files: perFile.sort((a, b) => a.path.localeCompare(b.path)),
  };
}

const percent = (s: Score) => (s.score === undefined ? '   none' : `${s.score.toFixed(1).padStart(6)}%`);

/**
 * Prints each module's score (and its files') and returns the modules under the bar or not measured: an empty list
 * is a pass.
 */
export function printScores(
  modules: readonly CoreModule[],
  root: string,
  write: (line: string) => void,
): readonly string[] {
  const failing: string[] = [];
  write(`\nMutation score per core module (at least ${MINIMUM_SCORE}% each):`);
  for (const module of modules) {
    let report: unknown;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- build/mutation/<module id>, from a constant list
      report = JSON.parse(readFileSync(reportPath(module), 'utf8'));
    } catch {
      write(`    not measured  ${module.name}: run npm run mutation -- ${module.id}`);
      failing.push(`${module.name} (not measured)`);
      continue;
    }
    const result = scoreReport(report, root);
    write(`${percent(result)}  ${module.name}  (${result.detected} detected, ${result.undetected} not)`);
    for (const file of result.files) write(`        ${percent(file)}  ${file.path}`);
    if (result.score === undefined || result.score < MINIMUM_SCORE) failing.push(module.name);
  }
  return failing;
}

function main(): void {
  const failing = printScores(CORE_MODULES, process.cwd(), (line) => process.stdout.write(`${line}\n`));
  if (failing.length > 0) {
    process.stderr.write(
      `Under ${MINIMUM_SCORE}%: ${failing.join('; ')}. Open ${MUTATION_REPORTS}/<module>.html to see the surviving mutants, then kill them with tests or list them as equivalent in docs/testing.md.\n`,
    );
    process.exit(1);
  }
}

if (import.meta.main) main();
