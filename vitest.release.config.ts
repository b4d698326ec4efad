import { defineConfig } from 'vitest/config';

/** The release archive test (`npm run test:release`): builds, unpacks and runs the archive. */
export default defineConfig({
  test: {
    include: ['test/release/**/*.release.ts'],
    testTimeout: 60_000,
    // Compiling and packing on a busy 2-core machine.
    hookTimeout: 600_000,
  },
});
