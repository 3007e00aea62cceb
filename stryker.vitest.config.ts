import { defineConfig } from 'vitest/config';
import { CORE_MODULES } from './src/cli/mutation-scores.ts';
import base from './vitest.config.ts';

/**
 * The tests Stryker may run against a mutant (docs/testing.md): those some core module names in
 * src/cli/mutation-scores.ts. Each module's run narrows them further to its own (`--testFiles`). The long call tests
 * (silence, chaos, the conversation suite) would run for every mutant of the bridge they reach and make a run take
 * many hours on two cores; browsers, containers, clusters and CLIs never reach these modules in-process.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [...new Set(CORE_MODULES.flatMap((module) => module.tests))],
  },
});
