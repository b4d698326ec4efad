import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyStore, summarizeTable } from '../../src/db/copy-store.js';
import { createDb } from '../../src/db/index.js';
import { insertApiToken } from '../../src/repositories/api-tokens.js';
import { saveUnconfirmedSecret } from '../../src/repositories/two-factor.js';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { storeTicketWithPhi } from '../helpers/phi.js';
import { createTestDatabase, type TestDatabase, testStore } from '../helpers/store.js';
import { createTicket } from '../helpers/tickets.js';

const apps: TestApp[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const database of databases.splice(0)) await database.drop();
});

const DESCRIPTION = 'Client J. Doe, DOB 1970-01-01: the claim form prints blank.';

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
    const before = (await browser.get(`/tickets/${id}`)).body;
    expect(before).toContain('the claim form prints blank');
    const stored = await sqlite.app.db
      .selectFrom('tickets')
      .select('description')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

    // Into an empty PostgreSQL database.
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    const target = createDb('', database.url);
    const copies = await copyStore(sqlite.app.db, target);
    await target.destroy();
    const rows = Object.fromEntries(copies.map((c) => [c.name, c.rows]));
    for (const table of [
      'tickets',
      'ticket_notes',
      'ticket_events',
      'audit_log',
      'outbox',
      'staff_two_factor',
      'api_tokens',
    ]) {
      expect(rows[table], table).toBeGreaterThan(0);
    }

    // Served from PostgreSQL with the same key: the same page, the ciphertext unchanged.
    const served = await createTestApp({
      DATABASE_URL: database.url,
      HUSHDESK_KEY: readFileSync(join(sqlite.dataDir, 'hushdesk.key'), 'utf8').trim(),
    });
    apps.push(served);
    const page = await (await signIn(served.app, 'ann')).get(`/tickets/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('the claim form prints blank');
    const copied = await served.app.db
      .selectFrom('tickets')
      .select('description')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(copied.description).toBe(stored.description);
    expect(copied.description).not.toContain('claim form');
    // New rows follow the copied ids.
    const next = await createTicket(await signIn(served.app, 'ann'), { title: 'After the move' });
    expect(next).toBeGreaterThan(id + 1);

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
