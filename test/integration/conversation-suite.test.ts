import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundledScenarioNames,
  createConversationSuite,
  type ConversationSuite,
} from '../../src/cli/conversation-suite.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { testDatabaseUrl } from '../support/service.ts';

/**
 * The conversation suite (npm run scenarios) as integration tests: every folder in src/sim/scenarios, so a new
 * scenario is tested by being added. Each call goes to the real service over real sockets, with the realtime
 * simulator as the model and a fresh database, and is judged on what was stored against the scenario's `expect`.
 */

const scenarioNames = await bundledScenarioNames();

// A long call at 8× real time takes about 10 s; the bound leaves room for a machine busy with other suites.
const SCENARIO_TIMEOUT_MS = 120_000;
let suite: ConversationSuite;

beforeAll(async () => {
  suite = await createConversationSuite({ databaseUrl: testDatabaseUrl });
});

describe('the conversation suite', () => {
  it('when the scenarios are listed, then there are at least twelve and each says what it expects', () => {
    expect(scenarioNames.length).toBeGreaterThanOrEqual(12);
    for (const name of scenarioNames) expect(loadScenario(name).expect, name).toBeDefined();
  });

  it.each(scenarioNames)(
    'when the %s scenario is phoned in, then the call comes out as it expects',
    async (name) => {
      const run = await suite.run(loadScenario(name));

      expect(run.misses).toEqual([]);
      expect(run.passed).toBe(true);
      expect(run.callerTurnsSpoken).toBeGreaterThan(0);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
