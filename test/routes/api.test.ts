import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { auditRows, lastAudit } from '../helpers/db.js';
import { createTicket } from '../helpers/tickets.js';

let t: TestApp;
let admin: Browser;
let bea: { id: number };
let cal: { id: number };

beforeAll(async () => {
  t = await createTestApp();
  await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin' });
  bea = await addStaff(t.app, 'bea', { name: 'Bea Biller', department: 'Billing' });
  cal = await addStaff(t.app, 'cal', { name: 'Cal Clinician' });
  admin = await signIn(t.app, 'ann');
});
afterAll(() => t.close());

/** Makes a token through the real page and returns it as shown, once. */
async function makeToken(name: string): Promise<string> {
  await admin.get('/settings/api-tokens');
  const response = await admin.post('/settings/api-tokens', { name });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  const token = /id="token" class="wide" value="(hd_[A-Za-z0-9_-]{43})"/.exec(response.body)?.[1];
  if (!token) throw new Error('no token on the page');
  return token;
}

function post(token: string | null, body: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    payload: JSON.stringify(body),
  });
}

function get(token: string | null, number: number | string) {
  return t.app.inject({
    method: 'GET',
    url: `/api/v1/tickets/${number}`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

function created(response: LightMyRequestResponse): number {
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { number: number }).number;
}

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

let token: string;

describe('API tokens', () => {
  it('are made by name, shown once, and kept only as a SHA-256 hash', async () => {
    token = await makeToken('billing-sync');
    const row = await t.app.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('name', '=', 'billing-sync')
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);

    const list = await admin.get('/settings/api-tokens');
    expect(list.body).toContain('billing-sync');
    expect(list.body).toContain('Never');
    expect(list.body).not.toContain(token);
    expect((await lastAudit(t.app, 'api-token-created'))?.detail).toBe('API token “billing-sync”');
  });

  it('each get an automation identity that never signs in and is never offered as an assignee', async () => {
    const row = await t.app.db
      .selectFrom('api_tokens')
      .innerJoin('staff', 'staff.id', 'api_tokens.staff_id')
      .select(['staff.id', 'staff.name', 'staff.username', 'staff.active', 'staff.password_hash'])
      .where('api_tokens.name', '=', 'billing-sync')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Automation: billing-sync', active: 0, password_hash: null });
    expect(row.username).toMatch(/^token:\d+$/);
    expect((await admin.get('/tickets/new')).body).not.toContain('Automation: billing-sync');

    // It cannot be turned into a person's account from the staff pages.
    await admin.get(`/staff/${row.id}`);
    expect((await admin.post(`/staff/${row.id}/reactivate`)).statusCode).toBe(409);
    expect((await admin.post(`/staff/${row.id}/password-link`)).statusCode).toBe(409);
  });

  it('need a valid name not held by another live token', async () => {
    await admin.get('/settings/api-tokens');
    const empty = await admin.post('/settings/api-tokens', { name: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/id="name-error">Name the token/);
    const taken = await admin.post('/settings/api-tokens', { name: 'Billing-Sync' });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toMatch(/id="name-error">A token that is not revoked already has that name/);
    expect(taken.body).toMatch(/id="name"[^>]*value="Billing-Sync"/);
  });

  it('are managed only by roles with the permission', async () => {
    await addStaff(t.app, 'sam', { name: 'Sam Staff' });
    const sam = await signIn(t.app, 'sam');
    expect((await sam.get('/settings/api-tokens')).statusCode).toBe(403);
    expect((await sam.post('/settings/api-tokens', { name: 'mine' })).statusCode).toBe(403);
  });
});

describe('POST /api/v1/tickets', () => {
  it('creates a ticket by the token’s identity: 201 with its number and URL', async () => {
    const response = await post(token, {
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
      await post(token, { title: 'Eligibility file failed', assignee: 'cal' }),
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
    created(await post(token, { title: 'Remittance import stalled', assignee: 'cal' }));
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
    const response = await post(token, {
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

    const tooLong = await post(token, { title: 'x'.repeat(151), due: '2026-02-30' });
    expect(Object.keys(tooLong.json().errors).sort()).toEqual(['due', 'title']);
    expect(tooLong.json().errors.due).toMatch(/YYYY-MM-DD/);

    const notAnObject = await post(token, ['title']);
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
    const number = created(await post(token, { title: 'Nightly 835 import failed' }));
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
      await post(token, { title: 'Payer portal password expired', assignee: 'AUTO' }),
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
    const number = created(await post(token, { title: 'Clearinghouse rejected batch' }));
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
      await post(token, {
        title: 'Statement run stuck',
        description: 'PHI here',
        priority: 'low',
        assignee: 'cal',
      }),
    );
    t.clock.advanceMinutes(1);
    const response = await get(token, number);
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
    const other = await makeToken('intake-bot');
    const byOtherToken = created(
      await post(other, { title: 'Made by another token', assignee: 'cal' }),
    );

    for (const number of [byHand, byOtherToken, 999999, 'abc']) {
      const response = await get(token, number);
      expect(response.statusCode, String(number)).toBe(404);
      expect(response.json()).toEqual({ error: 'Not found.' });
    }
    expect((await get(other, byOtherToken)).statusCode).toBe(200);
    expect((await lastAudit(t.app, 'api-ticket-not-found'))?.detail).toBe('asked for ticket abc');
  });
});

describe('the title guard on POST /api/v1/tickets', () => {
  it('refuses a title that looks like PHI with 422 JSON saying what and where to put it', async () => {
    const before = await t.app.db.selectFrom('tickets').select('id').execute();
    const response = await post(token, {
      title: 'Call back 555-123-4567',
      description: 'The client asked for a call.',
    });
    expect(response.statusCode).toBe(422);
    const { errors } = response.json() as { errors: Record<string, string> };
    expect(Object.keys(errors)).toEqual(['title']);
    expect(errors.title).toMatch(/^The title seems to contain a phone number\./);
    expect(errors.title).toContain('move it to the Description');
    expect(await t.app.db.selectFrom('tickets').select('id').execute()).toHaveLength(before.length);
    expect((await lastAudit(t.app, 'api-ticket-refused'))?.detail).toBe('invalid: title');
  });

  it('applies the agency’s own patterns from Settings → Security', async () => {
    await admin.get('/settings/security');
    const saved = await admin.post('/settings/security', {
      title_patterns: '\\bC-\\d{4,6}\\b',
      audit_retention_years: '6',
    });
    expect(saved.statusCode).toBe(303);
    const response = await post(token, { title: 'Statement for C-20417 is late' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.title).toContain('your agency’s client or record number formats');
  });

  it('asks for "title_no_phi": true on a title with a bare date', async () => {
    const response = await post(token, { title: 'Payer meeting 12/3' });
    expect(response.statusCode).toBe(422);
    const { errors } = response.json() as { errors: Record<string, string> };
    expect(errors.title).toBe(
      'The title contains a date (12/3). If it is not client information (a due date, a meeting), send "title_no_phi": true with the ticket; if it is, move it to the description.',
    );
    const wrongType = await post(token, { title: 'Payer meeting 12/3', title_no_phi: 'yes' });
    expect(wrongType.statusCode).toBe(422);
    expect(wrongType.json().errors).toMatchObject({ title_no_phi: 'Send true or false.' });
    const no = await post(token, { title: 'Payer meeting 12/3', title_no_phi: false });
    expect(no.statusCode).toBe(422);
    expect(no.json().errors.title).toContain('"title_no_phi": true');
  });

  it('creates it with "title_no_phi": true and audits the confirmation as the token', async () => {
    const id = created(await post(token, { title: 'Payer meeting 12/3', title_no_phi: true }));
    expect((await ticket(id)).title).toBe('Payer meeting 12/3');
    const rows = await t.app.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'title-confirmed')
      .where('ticket_id', '=', id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'token: billing-sync',
      detail: 'title held a date; confirmed as no client information',
    });
    expect(rows[0]?.token_id).not.toBeNull();
  });

  it('needs no confirmation, and records none, for an ordinary title', async () => {
    const id = created(await post(token, { title: 'Claim batch rejected', title_no_phi: true }));
    const rows = await t.app.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'title-confirmed')
      .where('ticket_id', '=', id)
      .execute();
    expect(rows).toHaveLength(0);
  });
});

describe('authentication', () => {
  it('answers 401 JSON without a token or with an unknown one', async () => {
    for (const authorization of [undefined, 'Bearer hd_nope', 'Basic YW5uOnBhc3M=', token]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        payload: JSON.stringify({ title: 'Should not exist' }),
      });
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="hushdesk"');
      expect(response.json()).toHaveProperty('error');
    }
    expect((await get(null, 1)).statusCode).toBe(401);
  });

  it('ignores session cookies and CSRF: a signed-in browser alone gets 401', async () => {
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
      payload: JSON.stringify({ title: 'Posted from a browser session' }),
    });
    expect(response.statusCode).toBe(401);
    expect((await admin.get('/api/v1/tickets/1')).statusCode).toBe(401);
    const count = await t.app.db
      .selectFrom('tickets')
      .select('id')
      .where('title', '=', 'Posted from a browser session')
      .execute();
    expect(count).toEqual([]);

    // A token needs no CSRF token, and a cookie sent along changes nothing.
    const withCookie = await admin.request({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify({ title: 'Token plus cookie', assignee: 'cal' }),
    });
    expect(withCookie.statusCode).toBe(201);
    expect(withCookie.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a revoked token from its next request on, and audits the attempt', async () => {
    const secret = await makeToken('short-lived');
    const row = await t.app.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'short-lived')
      .executeTakeFirstOrThrow();
    created(await post(secret, { title: 'Before revocation', assignee: 'cal' }));

    const list = await admin.get('/settings/api-tokens');
    expect(list.body).toContain(`href="/settings/api-tokens/${row.id}/revoke"`);
    const confirm = await admin.get(`/settings/api-tokens/${row.id}/revoke`);
    expect(confirm.body).toContain('Revoke “short-lived”?');
    const revoked = await admin.post(`/settings/api-tokens/${row.id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    const after = await admin.get(String(revoked.headers.location));
    expect(after.body).toContain('Revoked. Requests with that token are refused from now on.');
    expect(after.body).toMatch(/<td>short-lived<\/td>[\s\S]*?Revoked Nov 27, 2026[^<]* by Ann Lee/);
    expect((await lastAudit(t.app, 'api-token-revoked'))?.detail).toBe('API token “short-lived”');

    const refusedBefore = (await auditRows(t.app, 'api-token-refused')).length;
    const refused = await post(secret, { title: 'After revocation', assignee: 'cal' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: 'That API token is not valid or has been revoked.' });
    expect((await get(secret, 1)).statusCode).toBe(401);
    const attempts = await auditRows(t.app, 'api-token-refused');
    expect(attempts.length).toBe(refusedBefore + 2);
    expect(attempts.at(-1)).toMatchObject({ token_id: row.id, actor: 'token: short-lived' });

    // Other tokens keep working, and a new token may take the revoked one's name.
    created(await post(token, { title: 'Still allowed', assignee: 'cal' }));
    await makeToken('short-lived');
  });
});

describe('the OpenAPI document', () => {
  it('is served without a token, as OpenAPI 3.1 JSON describing both operations', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(response.body);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'http://localhost:3000' }]);
    expect(doc.paths['/api/v1/tickets'].post.operationId).toBe('createTicket');
    expect(doc.paths['/api/v1/tickets/{number}'].get.operationId).toBe('getTicket');
    expect(doc.components.schemas.NewTicket.properties.title_no_phi.type).toEqual([
      'boolean',
      'null',
    ]);
    expect(doc.components.securitySchemes.apiToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    // Every reference points at something the document defines.
    const refs = [...response.body.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref);
    // Each route the app serves under /api/v1 is in the document, and the other way round.
    const served = t.app
      .routeTable()
      .filter(
        (r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD' && !r.url.endsWith('.json'),
      )
      .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, object>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });
});
