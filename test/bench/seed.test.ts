import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, seedDataDir } from '../../bench/seed.js';
import { buildApp } from '../../src/build.js';
import { loadConfig } from '../../src/config.js';
import { getKeyCheck, keyFilePath, keyFitsCheck, readKeyFile } from '../../src/crypto/key.js';
import { decryptPhi } from '../../src/crypto/phi.js';
import { createDb, databaseFile } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { storedTicket } from '../helpers/db.js';

const dirs: string[] = [];
let seeded: string;
let sqlite: SQLite.Database;
let manifest: Manifest;
const one = (sql: string) => Object.values(sqlite.prepare(sql).get() as object)[0] as number;

beforeAll(async () => {
  seeded = mkdtempSync(join(tmpdir(), 'hushdesk-seed-'));
  dirs.push(seeded);
  manifest = await seedDataDir({ dataDir: seeded, tickets: 6000, staff: 300 });
  sqlite = new SQLite(databaseFile(seeded), { readonly: true });
});

afterAll(() => {
  sqlite?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the bench seeder', () => {
  it('leaves a store the app opens as its own: WAL, every index, no broken reference', async () => {
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    const fresh = mkdtempSync(join(tmpdir(), 'hushdesk-seed-'));
    dirs.push(fresh);
    const db = createDb(fresh);
    await migrateToLatest(db);
    await db.destroy();
    const schema = (file: string) => {
      const other = new SQLite(file, { readonly: true });
      const names = other
        .prepare(
          "select type, name, sql from sqlite_master where type in ('index', 'trigger') order by name",
        )
        .all();
      other.close();
      return names;
    };
    expect(schema(databaseFile(seeded))).toEqual(schema(databaseFile(fresh)));
  });

  it('fills the title indexes as their triggers would have', () => {
    const matches = (table: string, where = '') =>
      one(`select count(*) from ${table} where ${table} match '"printer"*' ${where}`);
    const open =
      "rowid in (select id from tickets where status in ('new','in_progress','waiting'))";
    expect(matches('tickets_title_fts')).toBeGreaterThan(0);
    expect(matches('tickets_open_title_fts')).toBeGreaterThan(0);
    expect(matches('tickets_open_title_fts')).toBe(matches('tickets_title_fts', `and ${open}`));
    expect(one('select count(*) from tickets_open_title_fts')).toBe(
      one("select count(*) from tickets where status in ('new','in_progress','waiting')"),
    );
  });

  it('stores descriptions and notes encrypted under the data directory’s own key, as the app does', async () => {
    const key = readKeyFile(keyFilePath(seeded));
    if (!key) throw new Error('no key file');
    const db = createDb(seeded);
    const check = await getKeyCheck(db);
    await db.destroy();
    expect(check && keyFitsCheck(key, check)).toBe(true);
    const description = sqlite
      .prepare('select description from tickets where description is not null limit 1')
      .pluck()
      .get() as string;
    const note = sqlite.prepare('select body from ticket_notes limit 1').pluck().get() as string;
    for (const stored of [description, note]) {
      expect(stored).toMatch(/^v1:[0-9a-f]{16}:/);
      expect(decryptPhi(key, stored).length).toBeGreaterThan(20);
    }
    // Each value has its own nonce: two equal texts never store alike.
    expect(one('select count(distinct description) = count(description) from tickets')).toBe(1);
  });

  it('starts the real app, whose key check accepts the key file', async () => {
    const app = await buildApp({
      config: loadConfig({ DATA_DIR: seeded, LOG_LEVEL: 'silent' }),
      outbox: { pollMs: 0 },
    });
    try {
      expect((await app.inject('/healthz')).statusCode).toBe(200);
      const ticket = manifest.visibleToStaff[0] ?? 0;
      const row = await storedTicket(app.db, ticket);
      if (row.description) expect(app.phi.decrypt(row.description)).not.toMatch(/^v1:/);
    } finally {
      await app.close();
    }
  });

  it('spreads the data as an agency would have it', () => {
    expect(one('select count(*) from tickets')).toBe(6000);
    const share = (where: string) => one(`select avg(${where}) from tickets`);
    expect(share('due_date is not null')).toBeCloseTo(0.4, 1);
    expect(share('id in (select ticket_id from ticket_notes)')).toBeCloseTo(0.2, 1);
    expect(share('id in (select ticket_id from ticket_associated_staff)')).toBeCloseTo(0.3, 1);
    // Old tickets are finished; what is still open is mostly recent.
    const openOld = one(
      "select count(*) from tickets where status in ('new','in_progress','waiting') and created_at < date('now','-1 year')",
    );
    expect(openOld / 6000).toBeLessThan(0.01);
    expect(
      one(
        "select count(*) from tickets t join priorities p on p.id = t.priority_id where p.key = 'crisis'",
      ) / 6000,
    ).toBeLessThan(0.02);
    expect(
      one("select count(*) from tickets where status = 'complete' and completed_date is null"),
    ).toBe(0);
    expect(
      one(
        'select count(*) from tickets t where not exists (select 1 from ticket_events e where e.ticket_id = t.id)',
      ),
    ).toBe(0);
  });

  it('seeds champions, administrators, inactive staff and namesakes', () => {
    const roles = Object.fromEntries(
      (
        sqlite
          .prepare(
            'select r.key, count(*) n from staff s join roles r on r.id = s.role_id group by r.key',
          )
          .all() as { key: string; n: number }[]
      ).map((r) => [r.key, r.n]),
    );
    expect(roles).toMatchObject({ admin: 3, champion: 20 });
    expect(one('select count(*) from staff where active = 0')).toBeGreaterThan(0);
    expect(one("select count(*) from staff where name = 'Ann Lee'")).toBe(2);
    expect(
      one("select count(*) from staff where name like '%é%' or name like '%ë%'"),
    ).toBeGreaterThan(0);
  });

  it('names personas the bench can sign in as, and tickets the staff persona may see', () => {
    const { staff, admin } = manifest.personas;
    const roleOf = (id: number) =>
      one(
        `select r.key = 'staff' from staff s join roles r on r.id = s.role_id where s.id = ${id}`,
      );
    expect(roleOf(staff.id)).toBe(1);
    expect(roleOf(admin.id)).toBe(0);
    expect(manifest.visibleToStaff.length).toBeGreaterThan(0);
    const visible = manifest.visibleToStaff.join(',');
    expect(
      one(`select count(*) from tickets t where t.id in (${visible}) and t.assignee_id != ${staff.id}
        and t.created_by != ${staff.id}
        and not exists (select 1 from ticket_associated_staff a where a.ticket_id = t.id and a.staff_id = ${staff.id})`),
    ).toBe(0);
  });
});
