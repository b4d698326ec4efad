import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateAndHour } from '../../src/notifications/reminders.js';
import { addStaff, createTestApp, type TestApp } from '../helpers/app.js';
import { insertTicket } from '../helpers/tickets.js';

let t: TestApp;
const tickets: Record<string, number> = {};

// The test clock starts at 2026-11-27T15:00Z: 09:00 on 27 November in America/Chicago.
beforeAll(async () => {
  t = await createTestApp();
  const ann = await addStaff(t.app, 'ann');
  const bo = await addStaff(t.app, 'bo');
  const make = (title: string, extra: object) =>
    insertTicket(t.app.db, { title, createdBy: ann.id, assigneeId: bo.id, ...extra }, t.app.now());
  tickets.today = await make('Due today', { dueDate: '2026-11-27' });
  tickets.late = await make('Overdue', { dueDate: '2026-11-20' });
  tickets.later = await make('Due next week', { dueDate: '2026-12-04' });
  tickets.done = await make('Done late', { dueDate: '2026-11-20', status: 'complete' });
  tickets.nobody = await make('Unassigned', { dueDate: '2026-11-20', assigneeId: null });
});
afterAll(() => t.close());

async function queued() {
  const rows = await t.app.db
    .selectFrom('outbox')
    .select(['kind', 'ticket_id', 'to_address'])
    .orderBy('id')
    .execute();
  await t.app.db.deleteFrom('outbox').execute();
  return rows;
}

describe('morning reminders', () => {
  it('reads the agency calendar in its time zone', () => {
    expect(localDateAndHour(new Date('2026-11-28T05:30:00Z'), 'America/Chicago')).toEqual({
      date: '2026-11-27',
      hour: 23,
    });
  });

  it('tells the assignee about open tickets due today and overdue, once a day', async () => {
    await t.app.outbox.runOnce();
    expect(await queued()).toEqual([
      { kind: 'due_today', ticket_id: tickets.today, to_address: 'bo@example.org' },
      { kind: 'overdue', ticket_id: tickets.late, to_address: 'bo@example.org' },
    ]);
    t.clock.advanceMinutes(60);
    await t.app.outbox.runOnce();
    expect(await queued()).toEqual([]);
  });

  it('waits for the morning, then says both are overdue the next day', async () => {
    t.clock.advanceMinutes(20 * 60); // 06:00 on the 28th
    await t.app.outbox.runOnce();
    expect(await queued()).toEqual([]);
    t.clock.advanceMinutes(60); // 07:00
    await t.app.outbox.runOnce();
    expect(await queued()).toEqual([
      { kind: 'overdue', ticket_id: tickets.today, to_address: 'bo@example.org' },
      { kind: 'overdue', ticket_id: tickets.late, to_address: 'bo@example.org' },
    ]);
  });
});
