import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import {
  openSqlite,
  PAGE_CACHE_KIB,
  SOFT_HEAP_LIMIT_BYTES,
  sortingOnDisk,
  withStatementCache,
} from '../../src/db/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'hushdesk-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite memory is bounded', () => {
  it('the page cache by size, and SQLite as a whole by a soft heap limit', () => {
    const db = openSqlite(join(dir, 'a.db'));
    expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(db.pragma('soft_heap_limit', { simple: true })).toBe(SOFT_HEAP_LIMIT_BYTES);
    db.close();
  });

  it('compiled statements: a flood of distinct queries keeps at most the limit', () => {
    const db = openSqlite(join(dir, 'b.db'));
    let prepared = 0;
    const counting = {
      prepare(sql: string) {
        prepared++;
        return db.prepare(sql);
      },
    } as unknown as Parameters<typeof withStatementCache>[0];
    const cached = withStatementCache(counting, 50);
    for (let i = 0; i < 1000; i++) cached.prepare(`select ${i}`);
    // The 50 most recent are still cached: asking again prepares nothing.
    const before = prepared;
    for (let i = 950; i < 1000; i++) cached.prepare(`select ${i}`);
    expect(prepared).toBe(before);
    // An older one was let go and must be prepared again.
    cached.prepare('select 1');
    expect(prepared).toBe(before + 1);
    db.close();
  });
});

describe('temporary data on the writer', () => {
  it('savepoint journals stay in memory; sortingOnDisk puts sorts on disk and back, also after a failure', async () => {
    const db = createDb(mkdtempSync(join(dir, 'temp-')));
    const tempStore = async () =>
      Number(
        (await sql<{ temp_store: number }>`pragma temp_store`.execute(db)).rows[0]?.temp_store,
      );
    try {
      expect(await tempStore()).toBe(2);
      expect(await sortingOnDisk(db, tempStore)).toBe(1);
      expect(await tempStore()).toBe(2);
      await expect(
        sortingOnDisk(db, async () => {
          throw new Error('a migration failed');
        }),
      ).rejects.toThrow('a migration failed');
      expect(await tempStore()).toBe(2);
    } finally {
      await db.destroy();
    }
  });

  it('migrations run with sorts on disk', async () => {
    const migrations = mkdtempSync(join(dir, 'migrations-'));
    writeFileSync(
      join(migrations, '0001_probe.js'),
      `import { sql } from 'kysely';
export async function up(db) {
  const { rows } = await sql\`pragma temp_store\`.execute(db);
  await sql\`create table seen (temp_store integer)\`.execute(db);
  await sql\`insert into seen values (\${rows[0].temp_store})\`.execute(db);
}
`,
    );
    const db = createDb(mkdtempSync(join(dir, 'migrated-')));
    try {
      await migrateToLatest(db, migrations);
      const { rows } = await sql<{ temp_store: number }>`select temp_store from seen`.execute(db);
      expect(rows).toEqual([{ temp_store: 1 }]);
    } finally {
      await db.destroy();
    }
  });
});
