import { describe, expect, it } from 'vitest';
import { modulesNamed, strykerArguments } from '../../src/cli/mutation.ts';
import { CORE_MODULES, scoreReport } from '../../src/cli/mutation-scores.ts';
import { UsageError } from '../../src/cli/operator.ts';

const ROOT = '/work/project';

function report(files: Record<string, readonly string[]>): unknown {
  return {
    schemaVersion: '2',
    files: Object.fromEntries(
      Object.entries(files).map(([path, statuses]) => [path, { mutants: statuses.map((status) => ({ status })) }]),
    ),
  };
}

describe('the mutation score of a core module', () => {
  it('when mutants are killed, time out, survive or are not reached, then the score is detected over the rest, per file and for the module', () => {
    const score = scoreReport(
      report({
        [`${ROOT}/src/permits/spoken-dates.ts`]: ['Killed', 'Killed', 'Timeout', 'Survived'],
        [`${ROOT}/src/permits/read-back.ts`]: ['NoCoverage', 'Ignored', 'CompileError', 'Killed'],
        'src/permits/language.ts': ['Ignored'],
      }),
      ROOT,
    );
    expect([score.detected, score.undetected, score.score]).toEqual([4, 2, (100 * 4) / 6]);
    expect(score.files.map((f) => [f.path, f.detected, f.undetected, f.score])).toEqual([
      ['src/permits/language.ts', 0, 0, undefined],
      ['src/permits/read-back.ts', 1, 1, 50],
      ['src/permits/spoken-dates.ts', 3, 1, 75],
    ]);
  });

  it('when the report holds no mutant that counts, then the module has no score rather than 0% or 100%', () => {
    expect(scoreReport(report({ 'src/sms/outbox-worker.ts': ['Ignored', 'RuntimeError'] }), ROOT).score).toBe(
      undefined,
    );
  });

  it('when the report is not a Stryker report, then it is refused rather than scored as empty', () => {
    expect(() => scoreReport({ files: { 'a.ts': { mutants: [{ status: 'Dead' }] } } }, ROOT)).toThrow();
  });
});

describe('npm run mutation', () => {
  it('when no module is named, then every core module is run; when some are, then those, in the order given', () => {
    expect(modulesNamed([])).toBe(CORE_MODULES);
    expect(modulesNamed(['outbox', 'permits']).map((m) => m.id)).toEqual(['outbox', 'permits']);
  });

  it('when a name is not a core module, then it is a usage error naming it', () => {
    expect(() => modulesNamed(['bridge'])).toThrow(new UsageError('There is no core module "bridge".'));
  });

  it('when a module is run, then Stryker mutates only its files and runs only its tests', () => {
    const outbox = modulesNamed(['outbox'])[0];
    expect(outbox && strykerArguments(outbox)).toEqual([
      'run',
      'stryker.config.json',
      '--mutate',
      'src/sms/outbox-worker.ts',
      '--testFiles',
      outbox?.tests.join(','),
    ]);
  });

  it('when the modules are listed, then each has a distinct name, files to mutate and tests', () => {
    expect(new Set(CORE_MODULES.map((m) => m.id)).size).toBe(CORE_MODULES.length);
    for (const module of CORE_MODULES) {
      expect(module.mutate.length).toBeGreaterThan(0);
      expect(module.tests.length).toBeGreaterThan(0);
    }
  });
});
