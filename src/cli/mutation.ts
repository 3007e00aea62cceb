import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EXIT, parseCommandLine, UsageError } from './operator.ts';
import {
  CORE_MODULES,
  MINIMUM_SCORE,
  MUTATION_REPORTS,
  printScores,
  reportPath,
  type CoreModule,
} from './mutation-scores.ts';

/**
 * `npm run mutation [-- <module>...]` (docs/testing.md): one Stryker run per core module, each against the tests
 * named for it in mutation-scores.ts, then every module's score. With no module named it runs them all, one after
 * another (each run uses both cores); naming one re-measures it alone and prints the others from their last run.
 */

const USAGE = `Usage: npm run mutation [-- <module>...] [--concurrency <n>]
  --concurrency: test runners at once (default 2, one per core); 1 leaves a core free for other work.
  Modules: ${CORE_MODULES.map((m) => m.id).join(', ')} (all of them when none is named).
  Prints each module's mutation score and exits 1 when one is under ${MINIMUM_SCORE}% or not measured.`;

/** Stryker's command line for one module: its mutants, and only its tests. */
export function strykerArguments(module: CoreModule, concurrency?: number): string[] {
  return [
    'run',
    'stryker.config.json',
    '--mutate',
    module.mutate.join(','),
    '--testFiles',
    module.tests.join(','),
    ...(concurrency === undefined ? [] : ['--concurrency', String(concurrency)]),
  ];
}

function concurrencyOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--concurrency must be a whole number from 1, not "${value}".`);
  return n;
}

export function modulesNamed(names: readonly string[]): readonly CoreModule[] {
  if (names.length === 0) return CORE_MODULES;
  return names.map((name) => {
    const module = CORE_MODULES.find((m) => m.id === name);
    if (module === undefined) throw new UsageError(`There is no core module "${name}".`);
    return module;
  });
}

function strykerBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json');
  return join(dirname(manifest), 'bin', 'stryker.js');
}

function main(): number {
  let modules: readonly CoreModule[];
  let concurrency: number | undefined;
  try {
    const { positionals, values } = parseCommandLine(process.argv.slice(2), { concurrency: { type: 'string' } });
    modules = modulesNamed(positionals);
    concurrency = concurrencyOf(values.concurrency);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a constant folder
  mkdirSync(MUTATION_REPORTS, { recursive: true });
  for (const [index, module] of modules.entries()) {
    process.stdout.write(`\nMutation testing ${index + 1} of ${modules.length}: ${module.name}\n`);
    const run = spawnSync(process.execPath, [strykerBin(), ...strykerArguments(module, concurrency)], {
      stdio: 'inherit',
    });
    if (run.status !== 0) {
      process.stderr.write(
        `Stryker stopped (${run.signal ?? `exit ${String(run.status)}`}) on ${module.name}. Its first test run must pass: run its tests with npx vitest run ${module.tests.join(' ')}.\n`,
      );
      return EXIT.refused;
    }
    // stryker.config.json names one report; each module keeps its own, so the next run does not overwrite it.
    // The paths are the constant folder and a module id from the constant list.
    /* eslint-disable security/detect-non-literal-fs-filename */
    renameSync(`${MUTATION_REPORTS}/report.json`, reportPath(module));
    if (existsSync(`${MUTATION_REPORTS}/index.html`))
      renameSync(`${MUTATION_REPORTS}/index.html`, `${MUTATION_REPORTS}/${module.id}.html`);
    /* eslint-enable security/detect-non-literal-fs-filename */
  }
  const failing = printScores(CORE_MODULES, process.cwd(), (line) => process.stdout.write(`${line}\n`));
  if (failing.length === 0) return EXIT.ok;
  process.stderr.write(
    `Under ${MINIMUM_SCORE}%: ${failing.join('; ')}. Open ${MUTATION_REPORTS}/<module>.html for the surviving mutants; kill them with tests, or list them as equivalent in docs/testing.md.\n`,
  );
  return EXIT.refused;
}

if (import.meta.main) process.exitCode = main();
