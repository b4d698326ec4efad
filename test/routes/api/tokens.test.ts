import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTestApp, created, getTicket, makeToken, postTicket } from '../../helpers/api.js';
import { addStaff, type Browser, signIn, type TestApp } from '../../helpers/app.js';
import { auditRows, lastAudit, ticketsTitled } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';

let t: TestApp;
let admin: Browser;

beforeAll(async () => {
  ({ t, admin } = await createApiTestApp());
});
afterAll(() => t.close());

let token: string;

describe('API tokens', () => {
  it('are made by name, shown once, and kept only as a SHA-256 hash', async () => {
    token = await makeToken(admin, 'billing-sync');
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
    expect((await getTicket(t.app, null, 1)).statusCode).toBe(401);
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
    expect(await ticketsTitled(t.app.db, 'Posted from a browser session')).toEqual([]);

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
    const secret = await makeToken(admin, 'short-lived');
    const row = await t.app.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'short-lived')
      .executeTakeFirstOrThrow();
    created(await postTicket(t.app, secret, { title: 'Before revocation', assignee: 'cal' }));

    const list = await admin.get('/settings/api-tokens');
    expect(list.body).toContain(`href="/settings/api-tokens/${row.id}/revoke"`);
    const confirm = await admin.get(`/settings/api-tokens/${row.id}/revoke`);
    expect(readable(confirm.body)).toContain('Revoke “short-lived”?');
    const revoked = await admin.post(`/settings/api-tokens/${row.id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    const after = await admin.get(String(revoked.headers.location));
    expect(after.body).toContain('Revoked. Requests with that token are refused from now on.');
    expect(after.body).toMatch(/<td>short-lived<\/td>[\s\S]*?Revoked Nov 27, 2026[^<]* by Ann Lee/);
    expect((await lastAudit(t.app, 'api-token-revoked'))?.detail).toBe('API token “short-lived”');

    const refusedBefore = (await auditRows(t.app, 'api-token-refused')).length;
    const refused = await postTicket(t.app, secret, { title: 'After revocation', assignee: 'cal' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: 'That API token is not valid or has been revoked.' });
    expect((await getTicket(t.app, secret, 1)).statusCode).toBe(401);
    const attempts = await auditRows(t.app, 'api-token-refused');
    expect(attempts.length).toBe(refusedBefore + 2);
    expect(attempts.at(-1)).toMatchObject({ token_id: row.id, actor: 'token: short-lived' });

    // Other tokens keep working, and a new token may take the revoked one's name.
    created(await postTicket(t.app, token, { title: 'Still allowed', assignee: 'cal' }));
    await makeToken(admin, 'short-lived');
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
