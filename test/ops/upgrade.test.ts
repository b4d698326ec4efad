import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/build.js';
import { runCli } from '../../src/cli.js';
import { checkDatabaseFile } from '../../src/db/backup.js';
import { createDb } from '../../src/db/index.js';
import { readMigrationState } from '../../src/ops/upgrade.js';
import { createTestApp, createTestAppWith, type TestApp } from '../helpers/app.js';
import { testStore } from '../helpers/store.js';

let t: TestApp;
afterEach(() => t.close());

/** The newest migration: what "the previous release" lacks. */
const NEWEST = readdirSync(join(import.meta.dirname, '../../migrations'))
  .filter((name) => /^\d{4}_.+\.ts$/.test(name))
  .sort()
  .at(-1)
  ?.replace(/\.ts$/, '') as string;

const backups = (dataDir: string) => {
  try {
    return readdirSync(join(dataDir, 'backups'));
  } catch {
    return [];
  }
};

describe('upgrading the database', () => {
  it('takes no backup of a new store or of one already up to date', async () => {
    t = await createTestApp();
    await t.restart();
    expect(backups(t.dataDir)).toEqual([]);
  });

  // SQLite only: the backup before an upgrade is of the SQLite file.
  it.skipIf(testStore === 'postgres')(
    'backs up a store with data before running pending migrations, beside the nightly ones',
    async () => {
      t = await createTestAppWith({ ann: {} });
      // The store as the previous release left it: without the newest migration.
      const newest = (await import(
        /* @vite-ignore */ join(import.meta.dirname, '../../migrations', `${NEWEST}.ts`)
      )) as {
        down: (db: unknown) => Promise<void>;
      };
      await newest.down(t.app.db);
      await sql`delete from kysely_migration where name = ${NEWEST}`.execute(t.app.db);
      expect((await readMigrationState(t.app.db)).pending).toEqual([NEWEST]);

      await t.restart();
      const files = backups(t.dataDir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^hushdesk-\d{8}T\d{6}Z-before-upgrade\.db$/);
      const report = checkDatabaseFile(join(t.dataDir, 'backups', files[0] ?? ''));
      expect(report.tables.find((x) => x.name === 'staff')?.rows).toBe(1);
      expect(report.tables.find((x) => x.name === 'kysely_migration')?.rows).toBe(
        (await readMigrationState(t.app.db)).applied.length - 1,
      );
      expect((await readMigrationState(t.app.db)).pending).toEqual([]);
      expect((await readMigrationState(t.app.db)).applied).toContain(NEWEST);
    },
  );

  // SQLite only: opens the SQLite file in DATA_DIR.
  it.skipIf(testStore === 'postgres')(
    'refuses, with a clear message, a store migrated by a newer release',
    async () => {
      t = await createTestApp();
      await sql`insert into kysely_migration (name, timestamp) values ('0999_from_a_newer_release', '2027-01-01T00:00:00Z')`.execute(
        t.app.db,
      );
      await t.app.close();
      const message =
        /migrated by a newer release of hushdesk \(it has 0999_from_a_newer_release, which this release does not know\)/;
      await expect(buildApp({ config: t.config, outbox: { pollMs: 0 } })).rejects.toThrow(message);
      await expect(
        runCli(['migrate'], { DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' }, process.stdin),
      ).rejects.toThrow(message);
      // Refused before anything was written: no backup, the row still there.
      expect(backups(t.dataDir)).toEqual([]);
      const db = createDb(t.dataDir);
      expect((await readMigrationState(db)).unknown).toEqual(['0999_from_a_newer_release']);
      await db.destroy();
    },
  );
});
