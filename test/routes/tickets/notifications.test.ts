import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addStaff,
  type Browser,
  createTestAppWith,
  signIn,
  type TestApp,
} from '../../helpers/app.js';
import { TestSmtpServer } from '../../helpers/smtp.js';
import { createTicket, saveTicket } from '../../helpers/tickets.js';

/** The ticket screens queue title-only mail; a real SMTP server receives it. */
let smtp: TestSmtpServer;
let t: TestApp;
let ann: Browser;
let boId: number;
const MARKER = 'PHI-MARKER-7f3a9c';

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  t = await createTestAppWith(
    { ann: { name: 'Ann Lee' } },
    { SMTP_URL: smtp.url, SMTP_FROM: 'Help desk <help@agency.org>' },
  );
  boId = (await addStaff(t.app, 'bo', { name: 'Bo Chen' })).id;
  await addStaff(t.app, 'cy', { name: 'Cy Diaz' });
  ann = await signIn(t.app, 'ann');
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});
beforeEach(() => {
  smtp.received.length = 0;
});

/** Runs the outbox and returns what arrived since the last call. */
function delivered() {
  return smtp.deliveredBy(t.app.outbox);
}

describe('mail from the ticket screens', () => {
  it('tells the assignee of a new ticket, never the person who assigned it', async () => {
    const id = await createTicket(ann, {
      title: 'Fax line down',
      assignee: String(boId),
      description: MARKER,
    });
    const mails = await delivered();
    expect(mails.map((m) => m.to)).toEqual([['bo@example.org']]);
    expect(mails[0]?.mail.subject).toBe(`[hushdesk #${id}] Fax line down`);
    expect(mails[0]?.mail.text).toContain(`http://localhost:3000/tickets/${id}`);
    expect(mails[0]?.raw).not.toContain(MARKER);
  });

  it('sends nothing for a ticket assigned to oneself', async () => {
    await createTicket(ann, { title: 'My own reminder' });
    expect(await delivered()).toEqual([]);
  });

  it('tells creator and associated staff of a status change and a note, with no note text', async () => {
    const id = await createTicket(ann, { title: 'Claims export fails', assignee: String(boId) });
    await delivered();
    const bo = await signIn(t.app, 'bo');
    expect((await saveTicket(bo, id, { status: 'complete' })).statusCode).toBe(303);
    const status = await delivered();
    // Ann created it and was associated by assigning it; Bo did the change.
    expect(status.map((m) => m.to)).toEqual([['ann@example.org']]);
    expect(status[0]?.mail.text).toMatch(/Complete/);

    await bo.get(`/tickets/${id}`);
    await bo.post(`/tickets/${id}/notes`, { note: `Called them ${MARKER}` });
    const note = await delivered();
    expect(note.map((m) => m.to)).toEqual([['ann@example.org']]);
    expect(note[0]?.raw).not.toContain(MARKER);
    expect(note[0]?.mail.subject).toBe(`[hushdesk #${id}] Claims export fails`);
  });

  it('tells a new assignee on reassignment', async () => {
    const id = await createTicket(ann, { title: 'Reassign me' });
    const cy = await t.app.db
      .selectFrom('staff')
      .select('id')
      .where('username', '=', 'cy')
      .executeTakeFirstOrThrow();
    await saveTicket(ann, id, { assignee: String(cy.id) });
    const mails = await delivered();
    expect(mails.map((m) => m.to)).toEqual([['cy@example.org']]);
  });
});
