import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitSqliteDialect } from '../../src/db/group-commit.js';
import { createDb, databaseFile } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { openSqlite, openSqliteReader } from '../../src/db/sqlite.js';
import { recordAudit } from '../../src/repositories/audit.js';

const now = new Date('2026-11-27T15:00:00Z');
let dir: string;
let db: Kysely<Database>;
/** Another process's view of the file: it sees only what is committed. */
let outside: SQLite.Database;
const batches: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hushdesk-group-commit-'));
  const setup = createDb(dir);
  await migrateToLatest(setup);
  await setup.destroy();
  const file = databaseFile(dir);
  const writer = openSqlite(file);
  db = new Kysely<Database>({
    dialect: new GroupCommitSqliteDialect({
      writer,
      reader: openSqliteReader(file),
      onCommit: (writes) => batches.push(writes),
    }),
  });
  outside = new SQLite(file, { readonly: true });
});

afterAll(async () => {
  outside.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const audited = (detail: string) =>
  outside.prepare('select count(*) as n from audit_log where detail = ?').get(detail) as {
    n: number;
  };
const audit = (detail: string) =>
  recordAudit(db, { actor: { label: 'test' }, action: 'ticket-viewed', detail }, now);

describe('group commit', () => {
  it('commits concurrent writes together, each acknowledged only once committed', async () => {
    batches.length = 0;
    const seenWhenAcknowledged: number[] = [];
    const writes = Array.from({ length: 30 }, (_, i) =>
      audit(`view ${i}`).then(() => seenWhenAcknowledged.push(audited(`view ${i}`).n)),
    );
    const transactions = Array.from({ length: 10 }, (_, i) =>
      db
        .transaction()
        .execute(async (trx) => {
          await recordAudit(trx, { actor: { label: 'test' }, action: 'a', detail: `tx ${i}` }, now);
          await recordAudit(trx, { actor: { label: 'test' }, action: 'b', detail: `tx ${i}` }, now);
        })
        .then(() => seenWhenAcknowledged.push(audited(`tx ${i}`).n)),
    );
    await Promise.all([...writes, ...transactions]);
    expect(seenWhenAcknowledged.slice().sort()).toEqual([
      ...Array.from({ length: 30 }, () => 1),
      ...Array.from({ length: 10 }, () => 2),
    ]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(40);
    expect(batches.length).toBeLessThan(40);
  });

  it('undoes a failed transaction alone; the rest of its batch commits', async () => {
    const failing = db.transaction().execute(async (trx) => {
      await recordAudit(trx, { actor: { label: 'test' }, action: 'a', detail: 'doomed' }, now);
      throw new Error('changed my mind');
    });
    const fine = audit('kept');
    await expect(failing).rejects.toThrow('changed my mind');
    await fine;
    expect(audited('doomed').n).toBe(0);
    expect(audited('kept').n).toBe(1);
  });

  it('a read outside a transaction never sees a write that is not yet on disk', async () => {
    const write = audit('pending');
    const read = db.selectFrom('audit_log').select('id').where('detail', '=', 'pending').execute();
    expect(await read).toEqual([]);
    await write;
    const after = await db
      .selectFrom('audit_log')
      .select('id')
      .where('detail', '=', 'pending')
      .execute();
    expect(after).toHaveLength(1);
  });
});
