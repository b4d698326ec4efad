import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { createStaff } from '../../src/repositories/staff.js';
import { COUNT_CAP } from '../../src/repositories/ticket-list-plan.js';
import { listTickets } from '../../src/repositories/ticket-lists.js';
import { parseFilters } from '../../src/tickets/filters.js';
import { openTestStore } from '../helpers/store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
let db: Db;
let staffId = 0;
const DATES = { today: '2026-11-27', endOfWeek: '2026-11-29' };

beforeAll(async () => {
  store = await openTestStore();
  db = store.db;
  const member = await createStaff(
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
  );
  staffId = member.id;
  // One past the cap of open tickets, three of them high priority.
  await db.transaction().execute(async (trx) => {
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${COUNT_CAP + 1})
      insert into tickets (title, priority_id, status, created_by, assignee_id, created_at, updated_at)
      select 'Printer ' || i,
        (select id from priorities where key = case when i <= 3 then 'high' else 'low' end),
        'new', ${staffId}, ${staffId}, '2026-11-27T10:00:00Z', '2026-11-27T10:00:00Z' from n`.execute(
      trx,
    );
  });
});

afterAll(async () => {
  await store.close();
});

const admin = () => ({ id: staffId, seeAll: true, externalOnly: false });

describe('list totals', () => {
  it('stop at the cap and say so when there are more', async () => {
    const list = await listTickets(db, 'all', admin(), parseFilters({}), DATES);
    expect(list).toMatchObject({ total: COUNT_CAP, capped: true });
    expect(list.rows).toHaveLength(50);
  });

  it('are exact below the cap', async () => {
    const list = await listTickets(db, 'all', admin(), parseFilters({ priority: 'high' }), DATES);
    expect(list).toMatchObject({ total: 3, capped: false });
  });

  it('on an unfiltered My tickets tab come from the kept count, exact past the cap', async () => {
    const list = await listTickets(db, 'assigned', admin(), parseFilters({}), DATES);
    expect(list).toMatchObject({ total: COUNT_CAP + 1, capped: false });
  });
});
