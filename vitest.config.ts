import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Tests that start servers or Chromium are light; two workers match the two cores CI has.
    maxWorkers: 2,
    // Starts the libSQL stand-in only under PERMITLINE_TEST_DATABASE=libsql (npm run test:libsql).
    globalSetup: ['test/support/libsql-global-setup.ts'],
    // `npm test` measures it (--coverage) and fails under the thresholds; docs/testing.md has the figures.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: [
        // Command-line entry points run as child processes in their tests (test/support/cli.ts), where the
        // in-process V8 coverage cannot see them; what they call is in src/ and counted there.
        'src/cli/**',
        'src/main.ts',
        'src/worker.ts',
        'src/sim/make-speech.ts',
        'src/sim/libsql-stand-in.ts',
      ],
      reporter: ['text-summary'],
      reportsDirectory: 'build/coverage',
      thresholds: { lines: 85, branches: 75 },
    },
  },
});
