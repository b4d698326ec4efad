import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onServer } from '../../bench/postgres.js';
import { copyStore, storeTables, summarizeTable, TABLES } from '../../src/db/copy-store.js';
import { createDb, type Db } from '../../src/db/index.js';
import { insertApiToken } from '../../src/repositories/api-tokens.js';
import { replaceApplicationNames } from '../../src/repositories/application-names.js';
import { insertAttachments } from '../../src/repositories/attachments.js';
import { insertEscalation } from '../../src/repositories/escalation.js';
import { setNotificationPreferences } from '../../src/repositories/notifications.js';
import { createPasswordResetToken } from '../../src/repositories/password-resets.js';
import { createSetupToken } from '../../src/repositories/setup-tokens.js';
import { recordSignInFailure } from '../../src/repositories/sign-in-failures.js';
import { markSsoSession, rememberSubject, saveSsoProvider } from '../../src/repositories/sso.js';
import { issueTicketFormToken } from '../../src/repositories/ticket-form-tokens.js';
import { insertTicketLink } from '../../src/repositories/ticket-links.js';
import {
  createPendingSignIn,
  replaceRecoveryCodes,
  saveUnconfirmedSecret,
} from '../../src/repositories/two-factor.js';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { storedTicket } from '../helpers/db.js';
import { storeTicketWithPhi } from '../helpers/phi.js';
import {
  createTestDatabase,
  openTestStore,
  type TestDatabase,
  testServerUrl,
  testStore,
} from '../helpers/store.js';
import { createTicket } from '../helpers/tickets.js';

const apps: TestApp[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const database of databases.splice(0)) await database.drop();
});

const DESCRIPTION = 'Client J. Doe, DOB 1970-01-01: the claim form prints blank.';

describe('copy-store: the list of tables', () => {
  it('names every table the migrations make, so a new table is not left behind', async () => {
    const store = await openTestStore();
    try {
      expect(await storeTables(store.db)).toEqual(TABLES.map((t) => t.name).sort());
    } finally {
      await store.close();
    }
  });
});

describe('copy-store: reading a table', () => {
  it('reads every row of a table larger than one batch, each once', async () => {
    const store = await openTestStore();
    try {
      const at = new Date('2026-11-27T15:00:00Z').toISOString();
      const rows = Array.from({ length: 2345 }, (_, i) => ({
        at,
        actor: 'Ann',
        action: 'ticket-viewed',
        detail: `row ${i}`,
      }));
      for (let i = 0; i < rows.length; i += 500) {
        await store.db
          .insertInto('audit_log')
          .values(rows.slice(i, i + 500))
          .execute();
      }
      const { n } = await store.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n)).toBeGreaterThanOrEqual(2345);
      expect((await summarizeTable(store.db, 'audit_log')).rows).toBe(Number(n));
    } finally {
      await store.close();
    }
  });
});

/** A row in each table the screens used above did not fill, written by the repositories. */
async function fillTheRest(app: TestApp['app'], staffId: number, now: Date): Promise<void> {
  const db = app.db;
  const later = new Date(now.getTime() + 3_600_000);
  const [ticket, other] = await db.selectFrom('tickets').select('id').orderBy('id').execute();
  if (!ticket || !other) throw new Error('two tickets expected');
  await insertTicketLink(
    db,
    { ticketId: other.id, linkedId: ticket.id, kind: 'waiting_on', createdBy: staffId },
    now,
  );
  // Bytes (bytea on PostgreSQL), with every byte value, encrypted as the app stores them.
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await insertAttachments(
    db,
    [
      {
        name: app.phi.encrypt('scan.bin'),
        kind: 'file',
        contentType: 'application/octet-stream',
        size: bytes.length,
        data: app.phi.encryptBytes(bytes),
        thumbnail: null,
      },
    ],
    { ticketId: ticket.id, noteId: null, staffId },
    now,
  );
  await insertEscalation(
    db,
    ticket.id,
    staffId,
    { name: 'IT vendor', email: 'desk@vendor.example' },
    now,
  );
  await issueTicketFormToken(db, staffId, now);
  await replaceApplicationNames(
    db,
    [{ host: 'ehr.example', name: 'Clinical record' }],
    staffId,
    now,
  );
  await saveSsoProvider(
    db,
    {
      name: 'Entra ID',
      issuer: 'https://login.example/tenant',
      clientId: 'hushdesk',
      clientSecret: app.phi.encrypt('client secret') ?? undefined,
      enabled: false,
      required: false,
      breakGlassStaffId: null,
      createDomain: null,
      createRoleId: null,
    },
    staffId,
    now,
  );
  await rememberSubject(
    db,
    { issuer: 'https://login.example/tenant', subject: 's-1', staffId },
    now,
  );
  const session = await db.selectFrom('sessions').select('id').executeTakeFirstOrThrow();
  await markSsoSession(db, session.id);
  await createPasswordResetToken(
    db,
    { tokenHash: 'b'.repeat(64), staffId, createdBy: null },
    now,
    later,
  );
  await createSetupToken(db, 'c'.repeat(64), now, later);
  await replaceRecoveryCodes(db, staffId, ['d'.repeat(64)], now);
  await createPendingSignIn(db, { id: 'e'.repeat(43), staffId, next: '/' }, now, later);
  await recordSignInFailure(db, 'pair:ann 10.0.0.7', now, new Date(now.getTime() - 3_600_000));
  await setNotificationPreferences(db, staffId, { kinds: ['assigned'], enabled: new Set() }, now);
}

/** Needs both stores at once, so it runs in the PostgreSQL pass only. */
describe.skipIf(testStore !== 'postgres')('hushdesk copy-store', () => {
  it('copies a SQLite store with every kind of row into PostgreSQL and back, serving the same ticket', async () => {
    // The source: a SQLite store (DATABASE_URL empty) used through the real screens.
    const sqlite = await createTestApp({ DATABASE_URL: '' });
    apps.push(sqlite);
    const admin = await addStaff(sqlite.app, 'ann', { role: 'admin' });
    const bea = await addStaff(sqlite.app, 'bea');
    const browser = await signIn(sqlite.app, 'ann');
    const id = await createTicket(browser, { description: DESCRIPTION, assignee: String(bea.id) });
    await storeTicketWithPhi(sqlite.app, {
      staffId: admin.id,
      description: 'Second client note',
      note: 'A note with PHI',
    });
    await insertApiToken(
      sqlite.app.db,
      { name: 'billing-sync', tokenHash: 'a'.repeat(64), createdBy: admin.id },
      sqlite.clock.now(),
    );
    await saveUnconfirmedSecret(
      sqlite.app.db,
      bea.id,
      sqlite.app.phi.encrypt('JBSWY3DPEHPK3PXP'),
      sqlite.clock.now(),
    );
    await fillTheRest(sqlite.app, admin.id, sqlite.clock.now());
    const before = (await browser.get(`/tickets/${id}`)).body;
    expect(before).toContain('the claim form prints blank');
    const stored = await storedTicket(sqlite.app.db, id);

    // Into an empty PostgreSQL database.
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    const target = createDb('', database.url);
    const copies = await copyStore(sqlite.app.db, target);
    await target.destroy();
    // Every kind of row went across.
    const empty = copies.filter((c) => c.rows === 0).map((c) => c.name);
    expect(empty).toEqual([]);

    // Served from PostgreSQL with the same key: the same page, the ciphertext unchanged.
    const served = await createTestApp({
      DATABASE_URL: database.url,
      HUSHDESK_KEY: readFileSync(join(sqlite.dataDir, 'hushdesk.key'), 'utf8').trim(),
    });
    apps.push(served);
    const page = await (await signIn(served.app, 'ann')).get(`/tickets/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('the claim form prints blank');
    const copied = await storedTicket(served.app.db, id);
    expect(copied.description).toBe(stored.description);
    expect(copied.description).not.toContain('claim form');
    // New rows follow the copied ids, and the triggers the copy skipped run again.
    const openBefore = await openCounts(served.app.db, admin.id);
    const next = await createTicket(await signIn(served.app, 'ann'), { title: 'After the move' });
    expect(next).toBeGreaterThan(id + 1);
    expect(await openCounts(served.app.db, admin.id)).toBe(openBefore + 1);

    // And back into a new SQLite store.
    const backDir = mkdtempSync(join(tmpdir(), 'hushdesk-copy-'));
    const sqliteAgain = createDb(backDir);
    await copyStore(served.app.db, sqliteAgain);
    expect(await summarizeTable(sqliteAgain, 'tickets')).toEqual(
      await summarizeTable(served.app.db, 'tickets'),
    );
    await sqliteAgain.destroy();
    rmSync(backDir, { recursive: true, force: true });
  });
});

/** Tickets open that the person filed, as the triggers keep it. */
async function openCounts(db: Db, staffId: number): Promise<number> {
  const row = await db
    .selectFrom('staff_open_counts')
    .select('created')
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return Number(row?.created ?? 0);
}

describe.skipIf(testStore !== 'postgres')('hushdesk copy-store as an ordinary role', () => {
  it('copies with the triggers running when the role may not skip them, to the same rows', async () => {
    const sqlite = await createTestApp({ DATABASE_URL: '' });
    apps.push(sqlite);
    const admin = await addStaff(sqlite.app, 'ann', { role: 'admin' });
    const browser = await signIn(sqlite.app, 'ann');
    await createTicket(browser, { description: DESCRIPTION });
    await createTicket(browser, { title: 'Second printer jam' });

    // A database owned by a role that is no superuser: session_replication_role is refused.
    const serverUrl = testServerUrl as string;
    const role = `hushdesk_copier_${randomBytes(4).toString('hex')}`;
    await onServer(serverUrl, (c) => c.query(`create role ${role} login`));
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    const name = new URL(database.url).pathname.slice(1);
    await onServer(serverUrl, (c) => c.query(`alter database ${name} owner to ${role}`));
    const asRole = new URL(database.url);
    asRole.username = role;
    const target = createDb('', asRole.toString());
    try {
      await copyStore(sqlite.app.db, target);
      for (const table of ['tickets', 'ticket_events', 'report_daily', 'staff_open_counts']) {
        expect(await summarizeTable(target, table)).toEqual(
          await summarizeTable(sqlite.app.db, table),
        );
      }
      expect(await openCounts(target, admin.id)).toBe(2);
    } finally {
      await target.destroy();
      await database.drop();
      databases.splice(databases.indexOf(database), 1);
      await onServer(serverUrl, (c) => c.query(`drop role ${role}`));
    }
  });
});
