import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutation` runs against each mutant (docs/testing.md): the unit tests, and the integration
 * tests that drive the mutated modules through real sockets and a real database — the call bridge through whole
 * simulated calls, the outbox worker against the Twilio stand-in, the permit rules through the agent's tools.
 * The rest of the suite (browsers, containers, clusters, CLIs as processes) never reaches these modules, and
 * leaving it out keeps the run within an hour on two cores.
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
      'test/integration/voice-call.test.ts',
      'test/integration/voice-reconnect.test.ts',
      'test/integration/voice-tool-failure.test.ts',
      'test/integration/call-phases.test.ts',
      'test/integration/call-language.test.ts',
      'test/integration/silence-and-length.test.ts',
      'test/integration/staff-transfer.test.ts',
      'test/integration/single-use-streams.test.ts',
    ],
  },
});
