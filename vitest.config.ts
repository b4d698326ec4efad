import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous limits: browser tests start Chromium and a real server, which on a busy
    // two-core machine can take tens of seconds; a limit only matters when a test hangs.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Browser tests start Chromium; two cores share the work better with fewer workers.
    maxWorkers: 2,
  },
});
