import { afterEach, describe, expect, it, vi } from 'vitest';
import { queueTicketNotification } from '../../src/notifications/compose.js';
import { OutboxWorker, retryDelayMs } from '../../src/notifications/worker.js';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { testStore } from '../helpers/store.js';
import { insertTicket } from '../helpers/tickets.js';

let t: TestApp | null = null;
let smtp: TestSmtpServer | null = null;
afterEach(async () => {
  await t?.close();
  await smtp?.stop();
  t = null;
  smtp = null;
});

/** An app with an administrator (ann) who assigns a ticket to each of bo, cy and di. */
async function setUp(env: Record<string, string>, outbox = {}) {
  const app = await createTestApp(env, { outbox });
  t = app;
  const ann = await addStaff(app.app, 'ann', { name: 'Ann Lee', role: 'admin' });
  const others = [];
  for (const name of ['bo', 'cy', 'di']) others.push(await addStaff(app.app, name));
  const tickets: number[] = [];
  for (const person of others) {
    tickets.push(
      await insertTicket(
        app.app.db,
        { title: `Ticket for ${person.username}`, createdBy: ann.id, assigneeId: person.id },
        app.app.now(),
      ),
    );
  }
  const assignAll = () =>
    app.app.db.transaction().execute(async (trx) => {
      const outboxIds: number[] = [];
      for (const ticketId of tickets) {
        const notice = { kind: 'assigned' as const, ticketId, actor: { id: ann.id, name: 'Ann' } };
        const context = { baseUrl: app.config.baseUrl, now: app.app.now() };
        outboxIds.push(...(await queueTicketNotification(trx, notice, context)));
      }
      return outboxIds;
    });
  return { t: app, assignAll };
}

async function statuses(app: TestApp) {
  const rows = await app.app.db.selectFrom('outbox').select('status').orderBy('id').execute();
  return rows.map((r) => r.status);
}

describe('retry delays', () => {
  it('grow exponentially, with jitter, up to an hour', () => {
    expect(retryDelayMs(1, () => 0)).toBe(30_000);
    expect(retryDelayMs(1, () => 1)).toBe(60_000);
    expect(retryDelayMs(3, () => 1)).toBe(240_000);
    expect(retryDelayMs(30, () => 1)).toBe(3_600_000);
  });
});

describe('when the SMTP server is down', () => {
  it('queues without waiting, then delivers each message exactly once when it is back', async () => {
    smtp = await TestSmtpServer.start();
    const { t: app, assignAll } = await setUp({ SMTP_URL: smtp.url });
    await smtp.stop();

    const outboxIds = await assignAll();
    expect(outboxIds).toHaveLength(3);
    const first = await app.app.outbox.runOnce();
    // One attempt finds the server gone; the others wait untouched instead of failing too.
    expect(first).toMatchObject({ sent: 0, retrying: 1, dead: 0 });
    expect(await statuses(app)).toEqual(['retrying', 'queued', 'queued']);
    const failed = await app.app.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'retrying')
      .executeTakeFirstOrThrow();
    expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
    const health = (await app.app.inject('/healthz')).json();
    expect(health.outbox.queued).toBe(3);

    await smtp.restart();
    await app.app.outbox.runOnce();
    app.clock.advanceMinutes(5);
    await app.app.outbox.runOnce();
    await app.app.outbox.runOnce();
    expect(await statuses(app)).toEqual(['sent', 'sent', 'sent']);
    for (const id of outboxIds) {
      expect(smtp.withMessageId(`<outbox-${id}@localhost>`)).toHaveLength(1);
    }
    expect(smtp.received).toHaveLength(3);
    expect((await app.app.inject('/healthz')).json().outbox).toEqual({
      queued: 0,
      oldestQueuedSeconds: 0,
    });
  });

  it('holds no transaction while it waits for the server', async () => {
    smtp = await TestSmtpServer.start();
    const { t: app, assignAll } = await setUp({ SMTP_URL: smtp.url });
    const held = smtp.holdNext();
    await assignAll();
    const pass = app.app.outbox.runOnce();
    await held.reached;
    // A send is in flight (the pass claimed its batch, all three): writes and
    // requests still go through at once.
    const more = await app.app.db
      .selectFrom('outbox')
      .select('status')
      .where('status', '=', 'sending')
      .execute();
    expect(more).toHaveLength(3);
    await app.app.db.transaction().execute(async (trx) => {
      await trx.updateTable('staff').set({ department: 'Billing' }).where('id', '=', 1).execute();
    });
    expect((await app.app.inject('/healthz')).statusCode).toBe(200);
    held.release();
    expect((await pass).sent).toBe(3);
  });
});

describe('when the server refuses a message for good (5xx)', () => {
  it('marks it dead, shows the error on the Outbox page, and sends it once retried', async () => {
    smtp = await TestSmtpServer.start();
    const { t: app, assignAll } = await setUp({ SMTP_URL: smtp.url });
    smtp.rejectWith = { code: 550, message: 'Mailbox unavailable' };
    const [deadId] = await assignAll();
    expect(await app.app.outbox.runOnce()).toMatchObject({ dead: 3, sent: 0 });

    const ann = await signIn(app.app, 'ann');
    const list = await ann.get('/outbox?status=dead');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Mailbox unavailable');
    expect(list.body).toContain('bo@example.org');
    const page = await ann.get(`/outbox/${deadId}`);
    expect(page.body).toContain('550 Mailbox unavailable');

    smtp.rejectWith = null;
    const retried = await ann.post(`/outbox/${deadId}/retry`);
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe(`/outbox/${deadId}?retried=1`);
    expect(await app.app.outbox.runOnce()).toMatchObject({ sent: 1 });
    expect(smtp.withMessageId(`<outbox-${deadId}@localhost>`)).toHaveLength(1);
    expect(await statuses(app)).toEqual(['sent', 'dead', 'dead']);
    const audit = await app.app.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', '=', 'outbox-retried')
      .execute();
    expect(audit).toEqual([{ action: 'outbox-retried', detail: `outbox message ${deadId}` }]);
  });

  it('gives up on a temporary failure after the set number of attempts', async () => {
    smtp = await TestSmtpServer.start();
    const { t: app, assignAll } = await setUp({ SMTP_URL: smtp.url }, { maxAttempts: 3 });
    smtp.rejectWith = { code: 451, message: 'Try again later' };
    await assignAll();
    await app.app.outbox.runOnce();
    expect(await statuses(app)).toEqual(['retrying', 'retrying', 'retrying']);
    await app.app.outbox.runOnce();
    expect(await statuses(app)).toEqual(['retrying', 'retrying', 'retrying']); // not due yet
    for (let i = 0; i < 2; i++) {
      app.clock.advanceMinutes(60);
      await app.app.outbox.runOnce();
    }
    const rows = await app.app.db.selectFrom('outbox').select(['status', 'attempts']).execute();
    expect(rows).toEqual(Array(3).fill({ status: 'dead', attempts: 3 }));
  });
});

describe('after a crash', () => {
  it('sends a message left "sending" when the app starts again on the same DATA_DIR', async () => {
    smtp = await TestSmtpServer.start();
    const { t: app, assignAll } = await setUp({ SMTP_URL: smtp.url });
    const [id] = await assignAll();
    const leaseMs = app.app.config.outboxLeaseSeconds * 1000;
    // The commit happened and the worker claimed the row; then the process died.
    const leaseEnds = new Date(app.clock.now().getTime() + leaseMs).toISOString();
    await app.app.db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1, lease_expires_at: leaseEnds })
      .execute();
    await app.restart();
    if (testStore === 'sqlite') {
      // One server process per DATA_DIR: what it finds sending at start was its own.
      expect(await statuses(app)).toEqual(['queued', 'queued', 'queued']);
    } else {
      // Several processes: the rows are another's until the lease ends, then taken over.
      expect(await app.app.outbox.runOnce()).toMatchObject({ sent: 0 });
      app.clock.advance(leaseMs);
    }
    expect(await app.app.outbox.runOnce()).toMatchObject({ sent: 3 });
    expect(smtp.withMessageId(`<outbox-${id}@localhost>`)).toHaveLength(1);
    expect(smtp.received).toHaveLength(3);
  });
});

describe('without SMTP_URL', () => {
  it('keeps every message as delivered locally, readable on the Outbox page', async () => {
    const { t: app, assignAll } = await setUp({});
    const [id] = await assignAll();
    expect(await app.app.outbox.runOnce()).toMatchObject({ deliveredLocally: 3, sent: 0 });
    const row = await app.app.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', id as number)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'delivered_locally',
      sent_at: app.app.now().toISOString(),
    });
    const ann = await signIn(app.app, 'ann');
    const list = await ann.get('/outbox');
    expect(list.body).toContain('No SMTP server is set');
    expect(list.body).toContain('delivered locally');
    const page = await ann.get(`/outbox/${id}`);
    expect(page.body).toContain('Ann assigned ticket #1 to you.');
    expect(page.body).toContain('http://localhost:3000/tickets/1');
    expect(page.body).toContain(`&lt;outbox-${id}@localhost&gt;`);
  });
});

describe('polling', () => {
  it('runs passes on its own every pollMs, and not after stop()', async () => {
    const { t: app, assignAll } = await setUp({});
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const worker = new OutboxWorker({
        db: app.app.db,
        mailer: null,
        now: app.app.now,
        log: app.app.log,
        pollMs: 1000,
        leaseMs: app.app.config.outboxLeaseSeconds * 1000,
      });
      await worker.start();
      await vi.advanceTimersByTimeAsync(10);
      await assignAll();
      expect(await statuses(app)).toEqual(['queued', 'queued', 'queued']);
      await vi.advanceTimersByTimeAsync(1000);
      // The pass's writes are acknowledged once committed (group commit, on a
      // later turn of the event loop), so its result is waited for, not assumed.
      await vi.waitFor(async () =>
        expect(await statuses(app)).toEqual(Array(3).fill('delivered_locally')),
      );
      await worker.stop();
      await assignAll();
      await vi.advanceTimersByTimeAsync(5000);
      expect((await statuses(app)).slice(3)).toEqual(['queued', 'queued', 'queued']);
    } finally {
      vi.useRealTimers();
    }
  });
});
