import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNotifications } from '../../src/notifications/compose.js';
import { addStaff, Browser, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { insertTicket } from '../helpers/tickets.js';

let t: TestApp;
let outboxIds: number[];

beforeAll(async () => {
  t = await createTestApp();
  const ann = await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin' });
  const bo = await addStaff(t.app, 'bo', { name: 'Bo Chen', role: 'champion' });
  const ticketId = await insertTicket(
    t.app.db,
    { title: 'Fax <b>down</b>', createdBy: ann.id, assigneeId: bo.id },
    t.app.now(),
  );
  outboxIds = await t.app.db.transaction().execute((trx) =>
    queueNotifications(
      trx,
      {
        kind: 'assigned',
        ticket: { id: ticketId, title: 'Fax <b>down</b>' },
        actor: { id: ann.id, name: 'Ann Lee' },
        recipients: [bo.id, { address: 'desk@vendor.example' }],
      },
      { baseUrl: t.config.baseUrl, now: t.app.now() },
    ),
  );
});
afterAll(() => t.close());

describe('the Outbox page', () => {
  it('is only for staff who may manage settings, and only they see its link', async () => {
    const bo = await signIn(t.app, 'bo');
    expect((await bo.get('/')).body).not.toContain('href="/outbox"');
    for (const path of ['/outbox', `/outbox/${outboxIds[0]}`]) {
      expect((await bo.get(path)).statusCode).toBe(403);
    }
    await bo.get('/');
    expect((await bo.post(`/outbox/${outboxIds[0]}/retry`)).statusCode).toBe(403);
    const signedOut = await new Browser(t.app).get('/outbox');
    expect(signedOut.statusCode).toBe(303);

    const ann = await signIn(t.app, 'ann');
    expect((await ann.get('/')).body).toContain('href="/outbox"');
  });

  it('lists recipient, subject, status and attempts, escaped, filtered by status', async () => {
    const ann = await signIn(t.app, 'ann');
    const all = await ann.get('/outbox');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('bo@example.org');
    expect(all.body).toContain('desk@vendor.example');
    expect(all.body).toContain('[hushdesk #1] Fax &lt;b&gt;down&lt;/b&gt;');
    expect(all.body).not.toContain('<b>down</b>');
    expect(all.body).toContain('status-queued');

    expect((await ann.get('/outbox?status=dead')).body).toContain('No messages with this status');
    expect((await ann.get('/outbox?status=queued')).body).toContain('bo@example.org');
    // An unknown filter shows everything rather than failing.
    expect((await ann.get('/outbox?status=bogus')).body).toContain('bo@example.org');
  });

  it('shows one message’s text, and 404 for one that does not exist', async () => {
    const ann = await signIn(t.app, 'ann');
    const page = await ann.get(`/outbox/${outboxIds[0]}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ann Lee assigned ticket #1 to you.');
    expect(page.body).not.toContain('>Retry<');
    expect((await ann.get('/outbox/999999')).statusCode).toBe(404);
    expect((await ann.get('/outbox/abc')).statusCode).toBe(404);
  });

  it('retries only dead messages, and only with the form token', async () => {
    const id = outboxIds[1] as number;
    await t.app.db
      .updateTable('outbox')
      .set({ status: 'dead', attempts: 10, last_error: '550 No such user' })
      .where('id', '=', id)
      .execute();
    const ann = await signIn(t.app, 'ann');
    const page = await ann.get(`/outbox/${id}`);
    expect(page.body).toContain('550 No such user');
    expect(page.body).toContain('>Retry<');

    expect((await ann.post(`/outbox/${id}/retry`, { _csrf: 'wrong' })).statusCode).toBe(403);
    const retried = await ann.post(`/outbox/${id}/retry`);
    expect(retried.statusCode).toBe(303);
    expect((await ann.get(retried.headers.location as string)).body).toContain(
      'is queued to be sent again',
    );
    const row = await t.app.db
      .selectFrom('outbox')
      .select(['status', 'attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'queued', attempts: 0 });
    expect((await ann.post(`/outbox/${id}/retry`)).statusCode).toBe(409);
  });
});

describe('/healthz', () => {
  it('reports the queue length and oldest age without sign-in or personal data', async () => {
    t.clock.advanceMinutes(2);
    const response = await t.app.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      outbox: { queued: 2, oldestQueuedSeconds: 120 },
    });
    expect(response.body).not.toContain('@');
  });
});
