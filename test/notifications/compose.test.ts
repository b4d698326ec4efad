import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeNotification,
  findTicketRecipients,
  type NotificationEvent,
  queueNotifications,
  queueTicketNotification,
} from '../../src/notifications/compose.js';
import { addStaff, createTestApp, type TestApp } from '../helpers/app.js';
import { insertTicket } from '../helpers/tickets.js';

let t: TestApp;
const ids = { ann: 0, bo: 0, cy: 0, di: 0, ed: 0 };
let ticketId: number;

beforeAll(async () => {
  t = await createTestApp();
  for (const name of ['ann', 'bo', 'cy', 'di', 'ed'] as const) {
    ids[name] = (await addStaff(t.app, name, { name: `${name.toUpperCase()} Person` })).id;
  }
  await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', ids.ed).execute();
  ticketId = await insertTicket(
    t.app.db,
    {
      title: 'Scanner offline',
      description: 'client 123',
      createdBy: ids.cy,
      assigneeId: ids.bo,
      associated: [ids.di, ids.ann],
    },
    t.app.now(),
  );
});
afterAll(() => t.close());

const context = () => ({ baseUrl: t.config.baseUrl, now: t.app.now() });

async function queue(event: NotificationEvent) {
  const outboxIds = await t.app.db
    .transaction()
    .execute((trx) => queueNotifications(trx, event, context()));
  if (outboxIds.length === 0) return [];
  return t.app.db
    .selectFrom('outbox')
    .selectAll()
    .where('id', 'in', outboxIds)
    .orderBy('id')
    .execute();
}

describe('composing a notification', () => {
  it('says what happened, who did it, the number, the title and the link, nothing else', () => {
    const mail = composeNotification(
      {
        kind: 'status_changed',
        status: 'complete',
        ticket: { id: 42, title: 'Fax & <scanner>' },
        actor: { id: 1, name: 'Ann Lee' },
        recipients: [],
      },
      'https://help.agency.org',
    );
    expect(mail.subject).toBe('[hushdesk #42] Fax & <scanner>');
    expect(mail.text).toContain('Ann Lee changed the status of ticket #42 to Complete.');
    expect(mail.text).toContain('Ticket #42: Fax & <scanner>');
    expect(mail.text).toContain('https://help.agency.org/tickets/42');
    expect(mail.html).toContain('Ticket #42:</strong> Fax &amp; &lt;scanner&gt;');
    expect(mail.html).toContain('href="https://help.agency.org/tickets/42"');
    expect(mail.html).not.toContain('<scanner>');
  });

  it('keeps line breaks and control characters of a title out of the subject', () => {
    const mail = composeNotification(
      {
        kind: 'assigned',
        ticket: { id: 3, title: 'Printer\r\nBcc: x@example.org\u0000\u2028' },
        actor: null,
        recipients: [],
      },
      'https://help.agency.org',
    );
    expect(mail.subject).toBe('[hushdesk #3] Printer Bcc: x@example.org');
    expect(mail.text).not.toMatch(/Printer\r?\nBcc/);
  });

  it('has no place for a description or a note', () => {
    const event: NotificationEvent = {
      kind: 'note_added',
      ticket: { id: 1, title: 't' },
      actor: null,
      recipients: [],
      // @ts-expect-error: the event type has no description (or note) field
      description: 'PHI',
    };
    expect(composeNotification(event, 'https://h.org').text).not.toContain('PHI');
  });
});

describe('queueing notifications', () => {
  it('queues one row per recipient with a Message-ID from the row id', async () => {
    const rows = await queue({
      kind: 'note_added',
      ticket: { id: ticketId, title: 'Scanner offline' },
      actor: { id: ids.ann, name: 'Ann Lee' },
      recipients: [ids.cy, ids.di],
    });
    expect(rows.map((r) => r.to_address)).toEqual(['cy@example.org', 'di@example.org']);
    for (const row of rows) {
      expect(row).toMatchObject({
        kind: 'note_added',
        status: 'queued',
        ticket_id: ticketId,
        attempts: 0,
        message_id: `<outbox-${row.id}@localhost>`,
        subject: `[hushdesk #${ticketId}] Scanner offline`,
      });
    }
  });

  it('never writes to the actor, to inactive staff, or twice to one address', async () => {
    const rows = await queue({
      kind: 'escalated',
      ticket: { id: ticketId, title: 'Scanner offline' },
      actor: { id: ids.ann, name: 'Ann Lee' },
      recipients: [ids.ann, ids.ed, ids.cy, ids.cy, { address: 'CY@example.org' }],
    });
    expect(rows.map((r) => [r.to_address, r.recipient_staff_id])).toEqual([
      ['cy@example.org', ids.cy],
    ]);
  });

  it('sends an outside address (the escalation desk) its own message', async () => {
    const rows = await queue({
      kind: 'escalated',
      ticket: { id: ticketId, title: 'Scanner offline' },
      actor: { id: ids.ann, name: 'Ann Lee' },
      recipients: [{ address: 'desk@vendor.example' }],
    });
    expect(rows.map((r) => [r.to_address, r.recipient_staff_id])).toEqual([
      ['desk@vendor.example', null],
    ]);
  });

  it('skips staff who turned the kind off, and only that kind', async () => {
    await t.app.db
      .insertInto('notification_preferences')
      .values({ staff_id: ids.di, kind: 'note_added', enabled: 0, updated_at: '2026-01-01' })
      .execute();
    const base = {
      ticket: { id: ticketId, title: 'Scanner offline' },
      actor: null,
      recipients: [ids.di],
    };
    expect(await queue({ ...base, kind: 'note_added' })).toHaveLength(0);
    expect(await queue({ ...base, kind: 'escalated' })).toHaveLength(1);
  });
});

describe('who each kind goes to', () => {
  it('assignee for assignment and due dates; creator and associated staff for the rest', async () => {
    for (const kind of ['assigned', 'auto_assigned', 'due_today', 'overdue'] as const) {
      expect(await findTicketRecipients(t.app.db, ticketId, kind)).toEqual([ids.bo]);
    }
    for (const kind of ['status_changed', 'note_added', 'escalated'] as const) {
      expect(await findTicketRecipients(t.app.db, ticketId, kind)).toEqual([
        ids.cy,
        ids.ann,
        ids.di,
      ]);
    }
    expect(await findTicketRecipients(t.app.db, 999_999, 'assigned')).toEqual([]);
  });

  it('queueTicketNotification finds the title and recipients and drops the actor', async () => {
    const outboxIds = await t.app.db.transaction().execute((trx) =>
      queueTicketNotification(
        trx,
        {
          kind: 'status_changed',
          status: 'in_progress',
          ticketId,
          actor: { id: ids.ann, name: 'Ann Lee' },
        },
        context(),
      ),
    );
    const rows = await t.app.db
      .selectFrom('outbox')
      .select(['to_address', 'subject', 'text_body'])
      .where('id', 'in', outboxIds)
      .orderBy('id')
      .execute();
    // di turned note_added off, not status changes; ann acted; cy created it.
    expect(rows.map((r) => r.to_address)).toEqual(['cy@example.org', 'di@example.org']);
    expect(rows[0]?.text_body).toContain('Ann Lee changed the status of ticket');
    expect(rows[0]?.text_body).toContain('to In progress.');
  });
});
