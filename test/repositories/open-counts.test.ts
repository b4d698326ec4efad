import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import type { TicketStatus } from '../../src/db/schema.js';
import { countMyTickets, recountMyTickets } from '../../src/repositories/ticket-scopes.js';
import { addAssociatedStaff, removeAssociatedStaff } from '../../src/repositories/tickets.js';
import { changeBareTicket, openBareTicket, useBareStore } from '../helpers/store.js';

const now = new Date('2026-11-27T15:00:00Z');
const store = useBareStore(['ann', 'bo', 'cy'], now);
const people = store.people;
let db: Db;

beforeAll(async () => {
  db = store.db;
});

/** Every person's kept counts against a count from scratch. */
async function expectKeptEqualsRecount(): Promise<void> {
  for (const id of people) {
    const viewer = { id, seeAll: false, externalOnly: false };
    expect(await countMyTickets(db, viewer), `staff ${id}`).toEqual(
      await recountMyTickets(db, viewer),
    );
  }
}

const change = (id: number, changes: { status?: TicketStatus; assignee_id?: number | null }) =>
  changeBareTicket(db, id, changes, now);

describe('kept open-ticket counts (My tickets tabs)', () => {
  it('equal a recount after every kind of ticket change', async () => {
    const [ann = 0, bo = 0, cy = 0] = people;
    const open = (assigneeId: number | null, by: number) =>
      openBareTicket(db, { assigneeId }, by, now);
    const first = await open(bo, ann);
    const unassigned = await open(null, bo);
    const third = await open(ann, ann);
    await expectKeptEqualsRecount();
    expect(await countMyTickets(db, { id: ann, seeAll: false, externalOnly: false })).toEqual({
      assigned: 1,
      created: 2,
      associated: 0,
    });

    expect(await addAssociatedStaff(db, first, cy, ann, now)).toBe(true);
    // Already there: nothing added, and the count does not move.
    expect(await addAssociatedStaff(db, first, cy, ann, now)).toBe(false);
    await addAssociatedStaff(db, third, cy, ann, now);
    await expectKeptEqualsRecount();
    await change(first, { assignee_id: cy }); // reassigned
    await expectKeptEqualsRecount();
    await change(first, { status: 'in_progress' }); // open to open
    await change(unassigned, { assignee_id: ann }); // assigned from nobody
    await expectKeptEqualsRecount();
    await change(first, { status: 'complete' }); // closed: leaves every count
    await expectKeptEqualsRecount();
    expect(
      (await countMyTickets(db, { id: cy, seeAll: false, externalOnly: false })).associated,
    ).toBe(1);
    await change(first, { status: 'waiting', assignee_id: bo }); // reopened and reassigned at once
    await change(third, { assignee_id: null }); // unassigned
    await expectKeptEqualsRecount();
    await removeAssociatedStaff(db, first, cy);
    await change(third, { status: 'cancelled' });
    await removeAssociatedStaff(db, third, cy); // an association of a closed ticket
    await addAssociatedStaff(db, third, bo, ann, now);
    await expectKeptEqualsRecount();
    await db.updateTable('tickets').set({ created_by: cy }).where('id', '=', unassigned).execute();
    await db
      .updateTable('ticket_associated_staff')
      .set({ staff_id: ann })
      .where('ticket_id', '=', third)
      .execute();
    await addAssociatedStaff(db, unassigned, bo, ann, now);
    await expectKeptEqualsRecount();
    await db.deleteFrom('ticket_associated_staff').where('ticket_id', '=', unassigned).execute();
    await db.deleteFrom('tickets').where('id', '=', unassigned).execute();
    await expectKeptEqualsRecount();
  });
});
