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
  },
});
