import { configDefaults, defineConfig } from 'vitest/config';

const postgres = Boolean(process.env.HUSHDESK_TEST_DATABASE_URL?.trim());

/**
 * Test files that can only mean SQLite: in the PostgreSQL pass they would test
 * the same SQLite file again.
 */
const SQLITE_ONLY = [
  // Backups and restores copy and check the SQLite file (PostgreSQL: pg_dump).
  'test/db/backup.test.ts',
  // The query planner's choices read from SQLite's EXPLAIN QUERY PLAN (PostgreSQL's:
  // test/db/query-plan-postgres.test.ts, the same queries).
  'test/db/query-plan.test.ts',
  // Reads the bytes of hushdesk.db and its WAL for clear-text PHI.
  'test/crypto/marker.test.ts',
  // The bench seeder writes the SQLite file directly.
  'test/bench/seed.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(postgres ? SQLITE_ONLY : [])],
    // Migrates the PostgreSQL template when HUSHDESK_TEST_DATABASE_URL is set.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Generous limits: browser tests start Chromium and a real server, which on a busy
    // two-core machine can take tens of seconds; a limit only matters when a test hangs.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Browser tests start Chromium; two cores share the work better with fewer workers.
    maxWorkers: 2,
  },
});
