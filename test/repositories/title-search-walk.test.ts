import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { createStaff } from '../../src/repositories/staff.js';
import { planTitleSearch, walkedPopulation } from '../../src/repositories/ticket-list-plan.js';
import { listTickets } from '../../src/repositories/ticket-lists.js';
import { PAGE_SIZE, parseFilters } from '../../src/tickets/filters.js';
import { openTestStore, testStore } from '../helpers/store.js';

/**
 * A title search walks the list's order once its matches are many against the
 * tickets the walk may pass: for a search of open tickets, the open ones, not
 * the whole history (ticket-list-plan.ts, walkedPopulation).
 */

let store: Awaited<ReturnType<typeof openTestStore>>;
let db: Db;
let adminId = 0;
const DATES = { today: '2026-11-27', endOfWeek: '2026-11-29' };
const OPEN_PRINTERS = 150;
/** The newest ticket's number: a history of a million, as far as walkFrom can tell. */
const NEWEST = 1_000_000;

beforeAll(async () => {
  store = await openTestStore();
  db = store.db;
  adminId = (
    await createStaff(
      db,
      {
        name: 'Ann Lee',
        username: 'ann',
        email: 'ann@example.org',
        department: null,
        passwordHash: null,
        roleKey: 'admin',
      },
      new Date(),
    )
  ).id;
  await db.transaction().execute(async (trx) => {
    const add = (title: string, status: string, minute: number, id?: number) => {
      const at = new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString();
      const columns = sql.raw(id === undefined ? '' : 'id, ');
      const number = id === undefined ? sql`` : sql`${id}, `;
      return sql`insert into tickets (${columns}title, priority_id, status, created_by, created_at, updated_at)
        values (${number}${title}, (select id from priorities where key = 'low'), ${status},
          ${adminId}, ${at}, ${at})`.execute(trx);
    };
    for (let i = 1; i <= OPEN_PRINTERS; i++) await add(`Printer ${i} is jammed`, 'new', i);
    for (let i = 1; i <= 50; i++) await add(`Laptop ${i} will not start`, 'waiting', i);
    await add('Printer in the attic, long since fixed', 'complete', 500, NEWEST);
  });
});

afterAll(async () => {
  await store.close();
});

const admin = () => ({ id: adminId, seeAll: true, externalOnly: false });

describe('how far a title search may walk', () => {
  it('is the open tickets for an open-ticket search, and the history otherwise', async () => {
    expect(await walkedPopulation(db, true)).toBe(OPEN_PRINTERS + 50);
    expect(await walkedPopulation(db, false)).toBe(NEWEST);
  });

  it('so a search of open tickets walks from far fewer matches than one of every status', async () => {
    // 150 open matches: on SQLite past walking's threshold among 200 open
    // tickets (100, a page's worth twice), far short of it among a million
    // (about 2,236). PostgreSQL tests each title it passes at a higher cost
    // and walks only from 447 matches among 200.
    const open = await planTitleSearch(db, 'all', admin(), parseFilters({ q: 'printer' }));
    expect(open).toEqual({
      drive: testStore === 'sqlite' ? 'test' : 'hits',
      total: { total: OPEN_PRINTERS, capped: false },
    });
    const any = await planTitleSearch(
      db,
      'all',
      admin(),
      parseFilters({ q: 'printer', status: 'any' }),
    );
    expect(any).toEqual({ drive: 'hits', total: { total: OPEN_PRINTERS + 1, capped: false } });
  });

  it('walking gives the page the rule gives: newest update first', async () => {
    const list = await listTickets(db, 'all', admin(), parseFilters({ q: 'printer' }), DATES);
    const want = Array.from({ length: PAGE_SIZE }, (_, i) => OPEN_PRINTERS - i);
    expect(list.rows.map((r) => r.id)).toEqual(want);
    expect(list).toMatchObject({ total: OPEN_PRINTERS, capped: false });
  });
});
