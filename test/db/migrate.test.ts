import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hushdesk-migrate-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('run once, and a second run changes nothing', async () => {
    const db = createDb(freshDir());
    const first = await migrateToLatest(db);
    expect(first.results?.length).toBeGreaterThan(0);
    expect(first.results?.every((r) => r.status === 'Success')).toBe(true);
    const second = await migrateToLatest(db);
    expect(second.results).toEqual([]);
    const roles = await db.selectFrom('roles').select('key').orderBy('id').execute();
    expect(roles.map((r) => r.key)).toEqual(['admin', 'champion', 'staff', 'external']);
    await db.destroy();
  });

  it('opens the store with WAL, synchronous=FULL, foreign keys and a busy timeout', async () => {
    const db = createDb(freshDir());
    const pragma = async (name: string) =>
      Object.values(
        (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0] ?? {},
      )[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
    await db.destroy();
  });

  it('enforces foreign keys', async () => {
    const db = createDb(freshDir());
    await migrateToLatest(db);
    const now = new Date().toISOString();
    await expect(
      db
        .insertInto('staff')
        .values({
          name: 'X',
          username: 'x',
          username_key: 'x',
          email: 'x@example.org',
          role_id: 999,
          department: null,
          active: 1,
          password_hash: null,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    ).rejects.toThrow(/FOREIGN KEY/);
    await db.destroy();
  });
});

describe('a failed migration', () => {
  it('stops with the migration named and leaves the database as it was', async () => {
    const { cpSync, writeFileSync } = await import('node:fs');
    const migrations = freshDir();
    cpSync(join(import.meta.dirname, '..', '..', 'migrations'), migrations, { recursive: true });
    writeFileSync(
      join(migrations, '9999_broken.ts'),
      `import { sql } from 'kysely';
       export async function up(db) {
         await sql\`create table half_done (id integer)\`.execute(db);
         await sql\`insert into no_such_table values (1)\`.execute(db);
       }`,
    );
    const db = createDb(freshDir());
    await expect(migrateToLatest(db, migrations)).rejects.toThrow(/9999_broken failed/);
    const tables = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table'`.execute(db);
    const names = tables.rows.map((r) => r.name);
    expect(names).not.toContain('half_done');
    // The earlier migrations of the same run were rolled back too: nothing half-applied.
    expect(names).not.toContain('staff');
    await db.destroy();
  });
});

describe('an upgrade', () => {
  it('runs a migration added since the last start, and only that one', async () => {
    const { cpSync, writeFileSync } = await import('node:fs');
    const migrations = freshDir();
    cpSync(join(import.meta.dirname, '..', '..', 'migrations'), migrations, { recursive: true });
    const db = createDb(freshDir());
    await migrateToLatest(db, migrations);
    expect((await migrateToLatest(db, migrations)).results).toEqual([]);
    writeFileSync(
      join(migrations, '9998_later.ts'),
      `import { sql } from 'kysely';
       export async function up(db) { await sql\`create table added_later (id integer)\`.execute(db); }`,
    );
    const upgrade = await migrateToLatest(db, migrations);
    expect(upgrade.results?.map((r) => [r.migrationName, r.status])).toEqual([
      ['9998_later', 'Success'],
    ]);
    await db.destroy();
  });
});
