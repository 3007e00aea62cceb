import { describe, expect, it } from 'vitest';
import { scoresByModule } from '../../src/cli/mutation-scores.ts';

const ROOT = '/work/project';

function report(files: Record<string, readonly string[]>): unknown {
  return {
    schemaVersion: '2',
    files: Object.fromEntries(
      Object.entries(files).map(([path, statuses]) => [path, { mutants: statuses.map((status) => ({ status })) }]),
    ),
  };
}

describe('the mutation score of each core module', () => {
  it('when mutants are killed, time out, survive or are not reached, then the score is detected over the rest, per module', () => {
    const scores = scoresByModule(
      report({
        [`${ROOT}/src/permits/spoken-dates.ts`]: ['Killed', 'Killed', 'Timeout', 'Survived'],
        [`${ROOT}/src/permits/read-back.ts`]: ['NoCoverage', 'Ignored', 'CompileError', 'Killed'],
        'src/sms/outbox-worker.ts': ['Killed'],
        [`${ROOT}/src/call/call-bridge.ts`]: ['Survived'],
        [`${ROOT}/src/web/app.ts`]: ['Survived', 'Survived'],
      }),
      ROOT,
    );
    expect(scores.map((s) => [s.detected, s.undetected, s.score])).toEqual([
      [4, 2, (100 * 4) / 6],
      [0, 1, 0],
      [0, 0, undefined],
      [1, 0, 100],
    ]);
  });

  it('when the report is not a Stryker report, then it is refused rather than scored as empty', () => {
    expect(() => scoresByModule({ files: { 'a.ts': { mutants: [{ status: 'Dead' }] } } }, ROOT)).toThrow();
  });
});
