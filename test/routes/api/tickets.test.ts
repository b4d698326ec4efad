import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTestApp, created, getTicket, makeToken, postTicket } from '../../helpers/api.js';
import { type Browser, signIn, type TestApp } from '../../helpers/app.js';
import { lastAudit } from '../../helpers/db.js';
import { createTicket } from '../../helpers/tickets.js';

let t: TestApp;
let admin: Browser;
let bea: { id: number };
let cal: { id: number };
/** The billing export's token: every ticket below is opened by it unless a test says otherwise. */
let token: string;

beforeAll(async () => {
  ({ t, admin, bea, cal } = await createApiTestApp());
  token = await makeToken(admin, 'billing-sync');
});
afterAll(() => t.close());

function ticket(id: number) {
  return t.app.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function setCoordinator(id: number | null) {
  await admin.get('/settings');
  const response = await admin.post('/settings/billing-coordinator', {
    billing_coordinator_id: id === null ? '' : String(id),
  });
  expect(response.statusCode).toBe(303);
}

describe('POST /api/v1/tickets', () => {
  it('creates a ticket by the token’s identity: 201 with its number and URL', async () => {
    const response = await postTicket(t.app, token, {
      title: 'Claim batch 2231 rejected',
      description: 'Client 55-1234, DOS 11/20: payer says invalid modifier.',
      priority: 'high',
      due: '2026-12-01',
      assignee: 'cal',
    });
    const number = created(response);
    expect(response.json()).toEqual({ number, url: `http://localhost:3000/tickets/${number}` });
    expect(response.headers.location).toBe(`http://localhost:3000/tickets/${number}`);
    expect(response.headers['cache-control']).toBe('no-store');

    const row = await ticket(number);
    expect(t.app.phi.decrypt(row.description)).toBe(
      'Client 55-1234, DOS 11/20: payer says invalid modifier.',
    );
    expect(row).toMatchObject({
      title: 'Claim batch 2231 rejected',
      due_date: '2026-12-01',
      assignee_id: cal.id,
      status: 'new',
    });
    const creator = await t.app.db
      .selectFrom('staff')
      .select('name')
      .where('id', '=', row.created_by)
      .executeTakeFirstOrThrow();
    expect(creator.name).toBe('Automation: billing-sync');

    // The timeline and the ticket page name the token's identity.
    const page = await admin.get(`/tickets/${number}`);
    expect(page.body).toMatch(/Automation: billing-sync<\/span>\s*created the ticket/);

    const audit = await lastAudit(t.app, 'api-ticket-created');
    expect(audit).toMatchObject({ ticket_id: number, actor: 'token: billing-sync' });
    expect(audit?.token_id).toBeTypeOf('number');
    expect(audit?.staff_id).toBe(row.created_by);
  });

  it('notifies a named assignee (title only)', async () => {
    const number = created(
      await postTicket(t.app, token, { title: 'Eligibility file failed', assignee: 'cal' }),
    );
    const mail = await t.app.db
      .selectFrom('outbox')
      .selectAll()
      .where('ticket_id', '=', number)
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ kind: 'assigned', recipient_staff_id: cal.id });
    expect(mail[0]?.text_body).toContain('Automation: billing-sync assigned ticket');
  });

  it('records when the token was last used, and the tokens page shows it', async () => {
    t.clock.advanceMinutes(5);
    created(
      await postTicket(t.app, token, { title: 'Remittance import stalled', assignee: 'cal' }),
    );
    const row = await t.app.db
      .selectFrom('api_tokens')
      .select(['last_used_at', 'last_used_ip'])
      .where('name', '=', 'billing-sync')
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).toBe(t.clock.now().toISOString());
    const list = await admin.get('/settings/api-tokens');
    expect(list.body).toMatch(/Nov 27, 2026, 9:05 AM from 127\.0\.0\.1/);
  });

  it('answers 422 with a message per field, with the ticket window’s rules', async () => {
    const response = await postTicket(t.app, token, {
      title: '',
      priority: 'urgent',
      due: '2026-11-26',
      description: 42,
      assignee: 'nobody-here',
    });
    expect(response.statusCode).toBe(422);
    const { errors } = response.json() as { errors: Record<string, string> };
    expect(Object.keys(errors).sort()).toEqual([
      'assignee',
      'description',
      'due',
      'priority',
      'title',
    ]);
    expect(errors.title).toMatch(/Enter a title/);
    expect(errors.priority).toBe('Use one of: none, future, low, medium, high, crisis.');
    expect(errors.due).toBe('The date due cannot be before today.');
    expect(errors.description).toBe('Send this as a string.');
    expect(errors.assignee).toBe('Send "auto" or the username of an active staff member.');

    const tooLong = await postTicket(t.app, token, { title: 'x'.repeat(151), due: '2026-02-30' });
    expect(Object.keys(tooLong.json().errors).sort()).toEqual(['due', 'title']);
    expect(tooLong.json().errors.due).toMatch(/YYYY-MM-DD/);

    const notAnObject = await postTicket(t.app, token, ['title']);
    expect(notAnObject.statusCode).toBe(422);
    expect(notAnObject.json()).toEqual({
      errors: { body: 'Send a JSON object with the ticket’s fields.' },
    });

    // Refusals are audited by field name only: never what was sent.
    const audit = await lastAudit(t.app, 'api-ticket-refused');
    expect(audit?.detail).toBe('invalid: body');
  });

  it('takes JSON only', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'title=Hello',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toHaveProperty('error');
  });
});

describe('[auto-assignment]', () => {
  it('with no billing coordinator leaves the ticket unassigned, listed for administrators', async () => {
    await setCoordinator(null);
    const number = created(await postTicket(t.app, token, { title: 'Nightly 835 import failed' }));
    expect((await ticket(number)).assignee_id).toBeNull();

    const page = await admin.get(`/tickets/${number}`);
    expect(page.body).toContain('<dt>Assigned To</dt><dd>Unassigned</dd>');
    expect(page.body).toContain(
      'changed Assigned To from <q>[auto-assignment]</q> to <q>nobody (no billing coordinator in Settings)</q>',
    );

    const settings = await admin.get('/settings');
    expect(settings.body).toMatch(
      /id="waiting-tickets">\s*1 auto-assigned ticket is waiting[\s\S]*?href="\/tickets\?assignee=none"/,
    );
    const unassigned = await admin.get('/tickets?assignee=none');
    expect(unassigned.body).toContain('Nightly 835 import failed');
    expect(unassigned.body).not.toContain('Claim batch 2231 rejected');
    expect(
      await t.app.db.selectFrom('outbox').select('id').where('ticket_id', '=', number).execute(),
    ).toEqual([]);
  });

  it('with a billing coordinator assigns to them and tells them why', async () => {
    await setCoordinator(bea.id);
    const number = created(
      await postTicket(t.app, token, { title: 'Payer portal password expired', assignee: 'AUTO' }),
    );
    expect((await ticket(number)).assignee_id).toBe(bea.id);
    const mail = await t.app.db
      .selectFrom('outbox')
      .selectAll()
      .where('ticket_id', '=', number)
      .executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ kind: 'auto_assigned', recipient_staff_id: bea.id });
    expect(mail.text_body).toContain('assigned to you automatically, as billing coordinator');
    expect((await lastAudit(t.app, 'api-ticket-created'))?.detail).toBe(
      'auto-assigned to Bea Biller',
    );
    expect((await admin.get(`/tickets/${number}`)).body).toContain(
      'changed Assigned To from <q>[auto-assignment]</q> to <q>Bea Biller</q>',
    );
  });

  it('leaves the ticket unassigned when the coordinator has been deactivated, and Settings says so', async () => {
    await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', bea.id).execute();
    const number = created(
      await postTicket(t.app, token, { title: 'Clearinghouse rejected batch' }),
    );
    expect((await ticket(number)).assignee_id).toBeNull();
    const settings = await admin.get('/settings');
    expect(settings.body).toContain('Bea Biller is the billing coordinator but is deactivated');
    expect(settings.body).toMatch(/2 auto-assigned tickets are waiting/);
    await t.app.db.updateTable('staff').set({ active: 1 }).where('id', '=', bea.id).execute();
  });

  it('is not offered on the staff form', async () => {
    const window = await admin.get('/tickets/new');
    expect(window.body).not.toMatch(/auto-assign/i);
    await admin.get('/tickets/new');
    const refused = await admin.post('/tickets', {
      title: 'Trying auto by hand',
      priority: 'none',
      assignee: 'auto',
    });
    expect(refused.statusCode).toBe(422);
  });
});

describe('GET /api/v1/tickets/:number', () => {
  it('returns a ticket the token created, without its description, and audits the read', async () => {
    const number = created(
      await postTicket(t.app, token, {
        title: 'Statement run stuck',
        description: 'PHI here',
        priority: 'low',
        assignee: 'cal',
      }),
    );
    t.clock.advanceMinutes(1);
    const response = await getTicket(t.app, token, number);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      number,
      url: `http://localhost:3000/tickets/${number}`,
      title: 'Statement run stuck',
      status: 'new',
      priority: 'low',
      due: null,
      completed: null,
      assignee: 'cal',
      created: expect.any(String),
      updated: expect.any(String),
    });
    expect(response.body).not.toContain('PHI here');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await lastAudit(t.app, 'api-ticket-read')).toMatchObject({
      ticket_id: number,
      actor: 'token: billing-sync',
    });
  });

  it('answers 404 for tickets the token did not create, as for missing ones', async () => {
    const cal = await signIn(t.app, 'cal');
    const byHand = await createTicket(cal, { title: 'Made by a person' });
    const other = await makeToken(admin, 'intake-bot');
    const byOtherToken = created(
      await postTicket(t.app, other, { title: 'Made by another token', assignee: 'cal' }),
    );

    for (const number of [byHand, byOtherToken, 999999, 'abc']) {
      const response = await getTicket(t.app, token, number);
      expect(response.statusCode, String(number)).toBe(404);
      expect(response.json()).toEqual({ error: 'Not found.' });
    }
    expect((await getTicket(t.app, other, byOtherToken)).statusCode).toBe(200);
    expect((await lastAudit(t.app, 'api-ticket-not-found'))?.detail).toBe('asked for ticket abc');
  });
});
