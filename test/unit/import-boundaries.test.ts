import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { importBoundaries } from '../../eslint.boundaries.js';

/**
 * The import boundaries (eslint.boundaries.js), run by ESLint itself on
 * scratch files placed in the folders they would live in: a bad import must
 * fail the lint, a good one must pass. The scratch files are never written;
 * the modules they import are real.
 */

const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...importBoundaries],
});

async function problemsOf(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('import boundaries', () => {
  it('when the permit domain imports storage, then the lint fails', async () => {
    const problems = await problemsOf(
      'src/permits/scratch.ts',
      "import { openDatabase } from '../store/database.ts';\nexport const x = openDatabase;\n",
    );
    expect(problems).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"permits".*"store"/)]);
  });

  it('when the permit domain imports only itself, then the lint passes', async () => {
    expect(
      await problemsOf(
        'src/permits/scratch.ts',
        "import { PERMIT_TYPES } from './permit-types.ts';\nexport const x = PERMIT_TYPES;\n",
      ),
    ).toEqual([]);
  });

  it('when the realtime adapter imports storage or Twilio, then the lint fails', async () => {
    const problems = await problemsOf(
      'src/realtime/scratch.ts',
      "import { CallRepository } from '../store/call-repository.ts';\nimport twilio from 'twilio';\nexport const x = [CallRepository, twilio];\n",
    );
    expect(problems).toEqual([
      expect.stringMatching(/^boundaries\/dependencies: .*"realtime".*"store"/),
      expect.stringMatching(/^no-restricted-imports: .*twilio/),
    ]);
  });

  it('when a simulator imports anything of ours but the wire protocols, then the lint fails', async () => {
    const problems = await problemsOf(
      'src/sim/scratch.ts',
      [
        "import { FRAME_MS } from '../protocols/media-stream-messages.ts';",
        "import { AppError } from '../errors.ts';",
        "import { CallBridge } from '../call/call-bridge.ts';",
        'export const x = [FRAME_MS, AppError, CallBridge];',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([expect.stringMatching(/"sim".*"errors"/), expect.stringMatching(/"sim".*"call"/)]);
  });

  it('when the web imports a model session or the call path, then the lint fails', async () => {
    const problems = await problemsOf(
      'src/web/scratch.ts',
      [
        "import type { RealtimeSession } from '../realtime/realtime-session.ts';",
        "import type { CallOrchestrator } from '../call/call-orchestrator.ts';",
        "import type { ApplicationService } from '../intake/application-service.ts';",
        'export type X = [RealtimeSession, CallOrchestrator, ApplicationService];',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([expect.stringMatching(/"web".*"realtime"/), expect.stringMatching(/"web".*"call"/)]);
  });

  it('when a channel imports the application repository instead of intake, then the lint fails', async () => {
    for (const filePath of ['src/call/scratch.ts', 'src/ivr/scratch.ts', 'src/sms/scratch.ts', 'src/web/scratch.ts']) {
      const problems = await problemsOf(
        filePath,
        "import type { ApplicationRepository } from '../store/application-repository.ts';\nexport type X = ApplicationRepository;\n",
      );
      expect(problems, filePath).toContainEqual(expect.stringMatching(/^no-restricted-imports: .*src\/intake/));
    }
  });

  it('when the error model imports anything of ours, then the lint fails', async () => {
    const problems = await problemsOf(
      'src/errors.ts',
      "import { loadConfig } from './config/config.ts';\nexport const x = loadConfig;\n",
    );
    expect(problems).toEqual([expect.stringMatching(/^no-restricted-imports: .*The error model imports nothing/)]);
  });

  it('when anything imports a process entry, then the lint fails', async () => {
    const problems = await problemsOf(
      'src/service/scratch.ts',
      "import '../main.ts';\nimport { loadConfig } from '../config/config.ts';\nexport const x = loadConfig;\n",
    );
    expect(problems).toEqual([expect.stringMatching(/process entry/)]);
  });
});
