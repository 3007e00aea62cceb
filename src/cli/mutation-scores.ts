import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * `npm run mutation`'s verdict (docs/testing.md): reads the JSON report Stryker wrote and prints the mutation score
 * of each core module, failing when one is under the bar. Stryker's own threshold is for the run as a whole; this
 * holds each module to it, so a well-tested module cannot hide a poorly tested one.
 */

export const MUTATION_REPORT = 'build/mutation/report.json';
export const MINIMUM_SCORE = 75;

/** The core modules and the files each is made of. */
export const CORE_MODULES: readonly { readonly name: string; readonly files: RegExp }[] = [
  { name: 'permit rules and spoken answers (src/permits/)', files: /^src\/permits\// },
  { name: 'call bridge and playback tracking', files: /^src\/call\/(call-bridge|playback-tracker)\.ts$/ },
  { name: 'tokens and keys', files: /^src\/(call\/stream-tokens|keys\/[\w-]+)\.ts$/ },
  { name: 'SMS outbox worker (claim and send)', files: /^src\/sms\/outbox-worker\.ts$/ },
];

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

export interface ModuleScore {
  readonly name: string;
  readonly detected: number;
  readonly undetected: number;
  /** Detected over detected and undetected, in percent; undefined when the module had no mutants. */
  readonly score: number | undefined;
}

/**
 * Scores as Stryker counts them: killed and timed-out mutants are detected, survivors and mutants no test reached
 * are not; ignored ones and ones that did not compile or run are left out.
 */
export function scoresByModule(report: unknown, root: string): ModuleScore[] {
  const { files } = reportSchema.parse(report);
  return CORE_MODULES.map(({ name, files: pattern }) => {
    let detected = 0;
    let undetected = 0;
    for (const [path, file] of Object.entries(files)) {
      const relative = path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
      if (!pattern.test(relative)) continue;
      for (const { status } of file.mutants) {
        if (status === 'Killed' || status === 'Timeout') detected += 1;
        else if (status === 'Survived' || status === 'NoCoverage') undetected += 1;
      }
    }
    const total = detected + undetected;
    return { name, detected, undetected, score: total === 0 ? undefined : (100 * detected) / total };
  });
}

function main(): void {
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(MUTATION_REPORT, 'utf8'));
  } catch (error) {
    process.stderr.write(
      `Cannot read ${MUTATION_REPORT} (${error instanceof Error ? error.message : String(error)}): run npm run mutation, which writes it.\n`,
    );
    process.exit(1);
  }
  const scores = scoresByModule(report, process.cwd());
  process.stdout.write(`\nMutation score per core module (at least ${MINIMUM_SCORE}% each):\n`);
  for (const s of scores) {
    const figure = s.score === undefined ? '  no mutants' : `${s.score.toFixed(1).padStart(6)}%`;
    process.stdout.write(`${figure}  ${s.name}  (${s.detected} detected, ${s.undetected} not)\n`);
  }
  const under = scores.filter((s) => s.score === undefined || s.score < MINIMUM_SCORE);
  if (under.length > 0) {
    process.stderr.write(
      `Under ${MINIMUM_SCORE}%: ${under.map((s) => s.name).join('; ')}. Open build/mutation/index.html to see the surviving mutants, then kill them with tests or list them as equivalent in docs/testing.md.\n`,
    );
    process.exit(1);
  }
}

if (import.meta.main) main();
