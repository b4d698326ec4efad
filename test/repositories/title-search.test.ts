import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { createStaff, type RoleKey } from '../../src/repositories/staff.js';
import { cursorOf } from '../../src/repositories/ticket-keyset.js';
import { listTickets } from '../../src/repositories/ticket-lists.js';
import { PAGE_SIZE, parseFilters } from '../../src/tickets/filters.js';
import { openTestStore } from '../helpers/store.js';

/**
 * Title search over many matches walks the list's order and tests each ticket;
 * over few it sorts its matches (ticket-lists.ts, planTitleSearch). Either way
 * the page must be the one a plain reading of the rule gives: word-prefix,
 * accent-insensitive, visible tickets only, by last update then number.
 */

let store: Awaited<ReturnType<typeof openTestStore>>;
let db: Db;
let adminId = 0;
let staffId = 0;
const DATES = { today: '2026-11-27', endOfWeek: '2026-11-29' };
const TICKETS = 600;

interface Seeded {
  id: number;
  title: string;
  status: string;
  priority: string;
  updated_at: string;
  created_by: number;
}
let seeded: Seeded[] = [];

function titleOf(i: number): string {
  if (i % 3 === 0) return `Printer ${i} is jammed`;
  if (i % 11 === 0) return `Label imprimante ${i}`;
  if (i % 7 === 0) return `Café machine ${i} leaks`;
  return `Laptop ${i} will not start`;
}

beforeAll(async () => {
  store = await openTestStore();
  db = store.db;
  const person = (name: string, username: string, roleKey: RoleKey) =>
    createStaff(
      db,
      {
        name,
        username,
        email: `${username}@example.org`,
        department: null,
        passwordHash: null,
        roleKey,
      },
      new Date(),
    );
  adminId = (await person('Ann Lee', 'ann', 'admin')).id;
  staffId = (await person('Bo Park', 'bo', 'staff')).id;
  const statuses = ['new', 'complete', 'in_progress', 'cancelled', 'complete', 'waiting'];
  await db.transaction().execute(async (trx) => {
    for (let i = 1; i <= TICKETS; i++) {
      // Three tickets share each moment, so the number must break the tie.
      const minute = Math.floor(i / 3);
      const at = new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString();
      await sql`insert into tickets (title, priority_id, status, created_by, created_at, updated_at)
        values (${titleOf(i)}, (select id from priorities where key = ${i % 4 === 0 ? 'high' : 'low'}),
          ${statuses[i % statuses.length]}, ${i % 50 === 0 ? staffId : adminId}, ${at}, ${at})`.execute(
        trx,
      );
    }
  });
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('priorities as p', 'p.id', 'tickets.priority_id')
    .select([
      'tickets.id',
      'tickets.title',
      'tickets.status',
      'p.key as priority',
      'tickets.updated_at',
      'tickets.created_by',
    ])
    .execute();
  seeded = rows.map((r) => ({ ...r, created_by: Number(r.created_by) }));
});

afterAll(async () => {
  await store.close();
});

const OPEN = ['new', 'in_progress', 'waiting'];
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The rule, read plainly: every word starts a word of the title; newest update first, then highest number. */
function expected(q: string, keep: (t: Seeded) => boolean): { ids: number[]; rows: Seeded[] } {
  const words = fold(q).split(/\s+/).filter(Boolean);
  const rows = seeded
    .filter((t) => {
      const titleWords = fold(t.title).split(/[^\p{L}\p{N}]+/u);
      return words.every((w) => titleWords.some((tw) => tw.startsWith(w))) && keep(t);
    })
    .sort((a, b) =>
      a.updated_at === b.updated_at ? b.id - a.id : a.updated_at < b.updated_at ? 1 : -1,
    );
  return { ids: rows.map((r) => r.id), rows };
}

const admin = () => ({ id: adminId, seeAll: true, externalOnly: false });

/** All tickets with these filters (as the query string gives them), as the list asks. */
const search = (query: Record<string, string>, viewer = admin()) =>
  listTickets(db, 'all', viewer, parseFilters(query), DATES);

describe('title search, many matches or few', () => {
  it('a common word (a third of the titles) gives the same first and second page as the rule', async () => {
    const want = expected('printer', () => true);
    expect(want.ids.length).toBe(TICKETS / 3);
    const first = await search({ q: 'printer', status: 'any' });
    expect(first.rows.map((r) => r.id)).toEqual(want.ids.slice(0, PAGE_SIZE));
    expect(first).toMatchObject({ total: TICKETS / 3, capped: false });
    const last = first.rows[PAGE_SIZE - 1];
    if (!last) throw new Error('no full page');
    const second = await search({
      q: 'printer',
      status: 'any',
      page: '2',
      after: cursorOf('updated', last),
    });
    expect(second.rows.map((r) => r.id)).toEqual(want.ids.slice(PAGE_SIZE, 2 * PAGE_SIZE));
  });

  it('a word prefix in another case, among open tickets, with and without a priority', async () => {
    const open = expected('PRINT', (t) => OPEN.includes(t.status));
    const list = await search({ q: 'PRINT' });
    expect(list.rows.map((r) => r.id)).toEqual(open.ids.slice(0, PAGE_SIZE));
    expect(list).toMatchObject({ total: open.ids.length, capped: false });
    const high = expected('print', (t) => t.priority === 'high');
    const highList = await search({ q: 'print', status: 'any', priority: 'high' });
    expect(highList.rows.map((r) => r.id)).toEqual(high.ids.slice(0, PAGE_SIZE));
    expect(highList).toMatchObject({ total: high.ids.length, capped: false });
  });

  it('accents are folded both ways, and a few matches are sorted', async () => {
    const want = expected('cafe', () => true);
    expect(want.ids.length).toBeGreaterThan(0);
    expect(want.ids.length).toBeLessThan(2 * PAGE_SIZE);
    const list = await search({ q: 'cafe', status: 'any' });
    expect(list.rows.map((r) => r.id)).toEqual(want.ids.slice(0, PAGE_SIZE));
    expect(list.total).toBe(want.ids.length);
    const typed = await search({ q: 'Cafè', status: 'any' });
    expect(typed.rows.map((r) => r.id)).toEqual(list.rows.map((r) => r.id));
  });

  it('a word inside another word does not match', async () => {
    // "rinter" is inside "Printer" but starts no word.
    const list = await search({ q: 'rinter', status: 'any' });
    expect(list).toMatchObject({ rows: [], total: 0, capped: false });
  });

  it('a My tickets tab finds only the tickets of that tab, counted exactly', async () => {
    const own = expected('printer', (t) => t.created_by === staffId);
    const staff = { id: staffId, seeAll: false, externalOnly: false };
    const list = await listTickets(
      db,
      'created',
      staff,
      parseFilters({ q: 'printer', status: 'any' }),
      DATES,
    );
    expect(list.rows.map((r) => r.id)).toEqual(own.ids);
    expect(list).toMatchObject({ total: own.ids.length, capped: false });
  });

  it('someone who does not see every ticket finds only their own', async () => {
    const own = expected('printer', (t) => t.created_by === staffId);
    expect(own.ids.length).toBeGreaterThan(0);
    const list = await search(
      { q: 'printer', status: 'any' },
      { id: staffId, seeAll: false, externalOnly: false },
    );
    expect(list.rows.map((r) => r.id)).toEqual(own.ids);
    expect(list.total).toBe(own.ids.length);
  });
});
