import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Migrates the PostgreSQL template when HUSHDESK_TEST_DATABASE_URL is set.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests start Chromium; two cores share the work better with fewer workers.
    maxWorkers: 2,
  },
});
