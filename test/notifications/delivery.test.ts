import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queueTicketNotification, type TicketNotice } from '../../src/notifications/compose.js';
import type { NotificationKind } from '../../src/notifications/kinds.js';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { headerNames, headerOf, type ReceivedMail, TestSmtpServer } from '../helpers/smtp.js';
import { insertNote, insertTicket } from '../helpers/tickets.js';

// Unique text placed where PHI lives; it must never reach a mail server.
const DESCRIPTION_MARKER = 'PHI-DESCRIPTION-5e1c9b7a';
const NOTE_MARKER = 'PHI-NOTE-0d4f2a63';

let smtp: TestSmtpServer;
let t: TestApp;
const ids = { ann: 0, bo: 0, cy: 0, di: 0 };
let ticketId: number;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  t = await createTestApp({ SMTP_URL: smtp.url, SMTP_FROM: 'Help desk <help@agency.org>' });
  for (const [name, full] of [
    ['ann', 'Ann Lee'],
    ['bo', 'Bo Chen'],
    ['cy', 'Cy Diaz'],
    ['di', 'Di Evans'],
  ] as const) {
    ids[name] = (await addStaff(t.app, name, { name: full })).id;
  }
  ticketId = await insertTicket(
    t.app.db,
    {
      title: 'Billing screen freezes',
      description: `Client ${DESCRIPTION_MARKER} cannot be billed`,
      createdBy: ids.cy,
      assigneeId: ids.bo,
      associated: [ids.ann, ids.di],
    },
    t.app.now(),
  );
  await insertNote(t.app.db, { ticketId, staffId: ids.ann, body: NOTE_MARKER }, t.app.now());
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});
beforeEach(() => {
  smtp.received.length = 0;
});

async function notify(notice: TicketNotice): Promise<number[]> {
  return t.app.db
    .transaction()
    .execute((trx) =>
      queueTicketNotification(trx, notice, { baseUrl: t.config.baseUrl, now: t.app.now() }),
    );
}

/** Every part of a message a reader could see, decoded, plus the raw bytes. */
async function everything(mail: ReceivedMail): Promise<string> {
  const parsed = await smtp.parse(mail);
  const headers = [...parsed.headers.values()].map((v) => JSON.stringify(v)).join('\n');
  return [mail.raw, headers, parsed.text ?? '', String(parsed.html)].join('\n');
}

const ann = () => ({ id: ids.ann, name: 'Ann Lee' });
const cases: { kind: NotificationKind; notice: () => TicketNotice; to: () => string[] }[] = [
  {
    kind: 'assigned',
    notice: () => ({ kind: 'assigned', ticketId, actor: ann() }),
    to: () => ['bo@example.org'],
  },
  {
    kind: 'auto_assigned',
    notice: () => ({ kind: 'auto_assigned', ticketId, actor: { id: ids.cy, name: 'Cy Diaz' } }),
    to: () => ['bo@example.org'],
  },
  {
    kind: 'due_today',
    notice: () => ({ kind: 'due_today', ticketId, actor: null }),
    to: () => ['bo@example.org'],
  },
  {
    kind: 'overdue',
    notice: () => ({ kind: 'overdue', ticketId, actor: null }),
    to: () => ['bo@example.org'],
  },
  {
    kind: 'status_changed',
    notice: () => ({ kind: 'status_changed', status: 'complete', ticketId, actor: ann() }),
    to: () => ['cy@example.org', 'di@example.org'],
  },
  {
    kind: 'note_added',
    notice: () => ({ kind: 'note_added', ticketId, actor: ann() }),
    to: () => ['cy@example.org', 'di@example.org'],
  },
  {
    kind: 'escalated',
    notice: () => ({
      kind: 'escalated',
      ticketId,
      actor: ann(),
      alsoTo: [{ address: 'desk@vendor.example' }],
    }),
    to: () => ['cy@example.org', 'desk@vendor.example', 'di@example.org'],
  },
];

describe('each kind of notification through a real SMTP server', () => {
  for (const c of cases) {
    it(`${c.kind}: right recipients, subject and link; no description or note`, async () => {
      const outboxIds = await notify(c.notice());
      const report = await t.app.outbox.runOnce();
      expect(report.sent).toBe(c.to().length);

      const recipients = smtp.received.flatMap((m) => m.envelopeTo).sort();
      expect(recipients).toEqual(c.to());
      expect(recipients).not.toContain('ann@example.org');
      for (const mail of smtp.received) {
        const parsed = await smtp.parse(mail);
        expect(parsed.subject).toBe(`[hushdesk #${ticketId}] Billing screen freezes`);
        expect(parsed.text).toContain(`http://localhost:3000/tickets/${ticketId}`);
        expect(String(parsed.html)).toContain(`href="http://localhost:3000/tickets/${ticketId}"`);
        expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe(
          mail.envelopeTo[0],
        );
        const all = await everything(mail);
        expect(all).not.toContain(DESCRIPTION_MARKER);
        expect(all).not.toContain(NOTE_MARKER);
      }
      const messageIds = smtp.received.map((m) => headerOf(m.raw, 'message-id')).sort();
      expect(messageIds).toEqual(outboxIds.map((id) => `<outbox-${id}@localhost>`).sort());
    });
  }

  it('says who did what in the body', async () => {
    await notify({ kind: 'note_added', ticketId, actor: ann() });
    await t.app.outbox.runOnce();
    const parsed = await smtp.parse(smtp.received[0] as ReceivedMail);
    expect(parsed.text).toContain(`Ann Lee added a note to ticket #${ticketId}.`);
    expect(parsed.text).toContain(`Ticket #${ticketId}: Billing screen freezes`);
  });
});

describe('a title that tries to add a header', () => {
  it('adds no header and no recipient', async () => {
    const evil = await insertTicket(
      t.app.db,
      { title: 'Printer\r\nBcc: x@example.org', createdBy: ids.cy, assigneeId: ids.bo },
      t.app.now(),
    );
    await notify({ kind: 'assigned', ticketId: evil, actor: ann() });
    await t.app.outbox.runOnce();
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0] as ReceivedMail;
    expect(mail.envelopeTo).toEqual(['bo@example.org']);
    const names = headerNames(mail.raw);
    expect(names).not.toContain('bcc');
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    expect(mail.raw).not.toMatch(/^Bcc:/im);
    const parsed = await smtp.parse(mail);
    expect(parsed.subject).toBe(`[hushdesk #${evil}] Printer Bcc: x@example.org`);
    expect(parsed.bcc).toBeUndefined();
  });
});

describe('preferences, actors and inactive staff', () => {
  it('sends nothing of a kind to someone who turned it off on their profile page', async () => {
    const bo = await signIn(t.app, 'bo');
    const kinds = ['auto_assigned', 'due_today', 'overdue', 'status_changed', 'note_added'];
    expect((await bo.post('/profile/notifications', { kinds })).statusCode).toBe(303);
    await notify({ kind: 'assigned', ticketId, actor: ann() });
    await notify({ kind: 'overdue', ticketId, actor: null });
    await t.app.outbox.runOnce();
    expect(smtp.received.map((m) => headerOf(m.raw, 'subject'))).toHaveLength(1);
    expect((await smtp.parse(smtp.received[0] as ReceivedMail)).text).toContain('is overdue');
    await bo.post('/profile/notifications', { kinds: [...kinds, 'assigned'] });
  });

  it('never sends to the person who acted, nor to inactive staff', async () => {
    await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', ids.di).execute();
    await notify({ kind: 'note_added', ticketId, actor: { id: ids.cy, name: 'Cy Diaz' } });
    await t.app.outbox.runOnce();
    // cy acted, di is inactive, ann is associated but not the actor this time.
    expect(smtp.received.flatMap((m) => m.envelopeTo)).toEqual(['ann@example.org']);
    await t.app.db.updateTable('staff').set({ active: 1 }).where('id', '=', ids.di).execute();
  });
});
