import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutation` runs against each mutant (docs/testing.md): the unit tests, and the quicker
 * integration tests that drive the mutated modules through real sockets and a real database — the call bridge
 * through short whole calls, the outbox worker against the Twilio stand-in, the permit rules through the agent's
 * tools. The long call tests (silence, chaos, the conversation suite) would run for every mutant of the bridge
 * and make a run take many hours on two cores; browsers, containers, clusters and CLIs never reach these modules.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/permit-tools.test.ts',
      'test/integration/spoken-answers.test.ts',
      'test/integration/sms-outbox-worker.test.ts',
      // The quickest whole calls: a few seconds each, and every mutant of the bridge runs all of them.
      'test/integration/call-language.test.ts',
      'test/integration/staff-transfer.test.ts',
      'test/integration/single-use-streams.test.ts',
      'test/integration/voice-caller-identity.test.ts',
    ],
  },
});
