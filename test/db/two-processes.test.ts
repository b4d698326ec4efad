import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { createDb, type Db } from '../../src/db/index.js';
import { insertOutboxMessage } from '../../src/repositories/outbox.js';
import { createStaff } from '../../src/repositories/staff.js';
import { PASSWORD } from '../helpers/app.js';
import {
  buildServer,
  HttpClient,
  type ServerProcess,
  sharedPhiKey,
  startServerProcess,
} from '../helpers/processes.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { createTestDatabase, type TestDatabase, testStore } from '../helpers/store.js';

/** A lease short enough to wait out in a test, long enough for a batch of 20. */
const LEASE_SECONDS = 8;

async function until<T>(what: string, read: () => T | Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Two real hushdesk processes (`node dist/src/server.bundle.js`) on one PostgreSQL
 * database, each sending mail to its own SMTP server, as two servers behind a
 * reverse proxy would. PostgreSQL only: on SQLite one process holds the store.
 */
describe.skipIf(testStore !== 'postgres')(
  'two hushdesk processes on one PostgreSQL database',
  () => {
    let database: TestDatabase;
    let db: Db;
    let one: ServerProcess;
    let two: ServerProcess;
    const smtp: TestSmtpServer[] = [];
    let staffIds: Record<string, number> = {};

    beforeAll(async () => {
      buildServer();
      database = await createTestDatabase();
      db = createDb('', database.url);
      const passwordHash = await hashPassword(PASSWORD);
      for (const [username, roleKey] of [
        ['ada', 'admin'],
        ['bo', 'staff'],
        ['cy', 'staff'],
      ] as const) {
        const person = await createStaff(
          db,
          {
            name: username.toUpperCase(),
            username,
            email: `${username}@example.org`,
            roleKey,
            department: null,
            passwordHash,
          },
          new Date(),
        );
        staffIds = { ...staffIds, [username]: person.id };
      }
      // Each message takes a moment, so both processes are sending at the same time.
      for (let i = 0; i < 2; i++) {
        const server = await TestSmtpServer.start();
        server.delayMs = 30;
        smtp.push(server);
      }
      const key = sharedPhiKey();
      const env = (i: number) => ({
        DATABASE_URL: database.url,
        HUSHDESK_KEY: key,
        SMTP_URL: smtp[i]?.url ?? '',
        OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
      });
      [one, two] = await Promise.all([
        startServerProcess('one', env(0)),
        startServerProcess('two', env(1)),
      ]);
    });

    afterAll(async () => {
      await Promise.all([one?.stop(), two?.stop()]);
      await Promise.all(smtp.map((s) => s.stop()));
      await db?.destroy();
      await database?.drop();
    });

    it('shares sessions and tickets: saved through one, shown at once through the other', async () => {
      const bo = await new HttpClient().signIn(one.url, 'bo', PASSWORD);
      await bo.get(`${one.url}/tickets/new`);
      const created = await bo.post(`${one.url}/tickets`, {
        title: 'Fax machine jams on page two',
        due_date: '',
        priority: 'low',
        description: 'Happens with the intake packet for room 4',
        assignee: 'self',
      });
      expect(created.status).toBe(303);
      const id = /^\/tickets\/(\d+)/.exec(created.location ?? '')?.[1];
      expect(id).toBeDefined();

      // The same session cookie, now answered by the other process.
      const page = await bo.get(`${two.url}/tickets/${id}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Fax machine jams on page two');
      // Encrypted by one process, read by the other with the same key.
      expect(page.body).toContain('Happens with the intake packet for room 4');

      // Someone who may not see it gets 404 from either process.
      const cy = await new HttpClient().signIn(two.url, 'cy', PASSWORD);
      expect((await cy.get(`${one.url}/tickets/${id}`)).status).toBe(404);
      expect((await cy.get(`${two.url}/tickets/${id}`)).status).toBe(404);
    });

    it('signs out, at their next click on the other process, a person deactivated through one', async () => {
      const cy = await new HttpClient().signIn(two.url, 'cy', PASSWORD);
      expect((await cy.get(`${two.url}/`)).status).toBe(200);

      const ada = await new HttpClient().signIn(one.url, 'ada', PASSWORD);
      await ada.get(`${one.url}/staff/${staffIds.cy}/deactivate`);
      const done = await ada.post(`${one.url}/staff/${staffIds.cy}/deactivate`);
      expect(done.status).toBe(303);

      const next = await cy.get(`${two.url}/`);
      expect(next.status).toBe(303);
      expect(next.location).toMatch(/\/sign-in/);
    });

    it('finds, in quick search on one process, a person just added through the other', async () => {
      const ada = await new HttpClient().signIn(one.url, 'ada', PASSWORD);
      const search = () =>
        ada.get(`${two.url}/staff-picker/options?field=assignee&assignee_q=quill`);
      // Asked once first, so the other process has its directory in memory.
      expect((await search()).body).not.toContain('Zed Quill');

      await ada.get(`${one.url}/staff/new`);
      const roles = await db.selectFrom('roles').select(['id', 'key']).execute();
      const added = await ada.post(`${one.url}/staff`, {
        name: 'Zed Quill',
        username: 'zquill',
        email: 'zed@example.org',
        department: 'Billing',
        roleId: String(roles.find((r) => r.key === 'staff')?.id),
      });
      expect(added.status).toBe(303);
      expect((await search()).body).toContain('Zed Quill');
    });

    it('shows, on the other process, the agency name saved through one', async () => {
      const ada = await new HttpClient().signIn(one.url, 'ada', PASSWORD);
      expect((await ada.get(`${two.url}/`)).body).not.toContain('Riverbend Home Health');
      await ada.get(`${one.url}/settings`);
      const saved = await ada.post(`${one.url}/settings/agency`, {
        agency_name: 'Riverbend Home Health',
        time_zone: 'America/Chicago',
      });
      expect(saved.status).toBe(303);
      // Read again by the other process within its two seconds.
      await until(
        'the new name on the other process',
        async () => (await ada.get(`${two.url}/`)).body.includes('Riverbend Home Health'),
        (shown) => shown,
      );
    });

    /** Queues `count` messages straight into the outbox, as saved tickets do. */
    async function queue(count: number, batch: string): Promise<string[]> {
      const addresses: string[] = [];
      for (let i = 0; i < count; i++) {
        const to = `${batch}-${i}@example.org`;
        addresses.push(to);
        await insertOutboxMessage(
          db,
          {
            kind: 'assigned',
            recipientStaffId: null,
            toAddress: to,
            subject: `[hushdesk #${i}] Printer in billing`,
            textBody: 'Assigned to you.',
            htmlBody: '<p>Assigned to you.</p>',
            ticketId: null,
          },
          '127.0.0.1',
          new Date(),
        );
      }
      return addresses;
    }

    const arrived = (batch: string) =>
      smtp
        .flatMap((s) => s.received.flatMap((m) => m.envelopeTo))
        .filter((to) => to.startsWith(batch));

    it('sends 200 queued notifications, each exactly once, shared between the processes', async () => {
      const addresses = await queue(200, 'shared');
      await until(
        '200 messages',
        () => arrived('shared').length,
        (n) => n >= 200,
      );
      // Long enough for a second delivery of any message to show.
      await new Promise((r) => setTimeout(r, 1500));
      expect(arrived('shared').sort()).toEqual([...addresses].sort());
      // Both processes took part.
      for (const server of smtp) {
        expect(server.received.some((m) => m.envelopeTo[0]?.startsWith('shared'))).toBe(true);
      }
      const sent = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('to_address', 'like', 'shared-%')
        .where('status', '=', 'sent')
        .executeTakeFirstOrThrow();
      expect(Number(sent.n)).toBe(200);
    });

    it('delivers the rest once when a process is killed in the middle of sending', async () => {
      const before = smtp[0]?.received.length ?? 0;
      const addresses = await queue(200, 'killed');
      // Process one sends to smtp[0]: once it has sent a few, its next message is held
      // at RCPT TO, and the process killed while it waits with its batch claimed.
      await until(
        'process one sending',
        () => (smtp[0]?.received.length ?? 0) - before,
        (n) => n >= 3,
      );
      const held = smtp[0]?.holdNext();
      await held?.reached;
      await one.kill();
      held?.release();

      // Its claimed rows wait out their lease, then process two sends them.
      await until(
        '200 messages after the kill',
        () => arrived('killed').length,
        (n) => n >= 200,
      );
      await new Promise((r) => setTimeout(r, 1500));
      expect(arrived('killed').sort()).toEqual([...addresses].sort());
      const left = await db
        .selectFrom('outbox')
        .select(['to_address', 'status'])
        .where('to_address', 'like', 'killed-%')
        .where('status', '!=', 'sent')
        .execute();
      expect(left).toEqual([]);
    });
  },
);
