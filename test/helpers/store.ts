import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { onServer, withDatabase } from '../../bench/postgres.js';
import type { PhiCipher } from '../../src/crypto/phi.js';
import type { Store } from '../../src/db/dialect/store.js';
import { createDb, type Db } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createStaff } from '../../src/repositories/staff.js';
import {
  insertTicket,
  type TicketChanges,
  updateTicketIfUnchanged,
} from '../../src/repositories/tickets.js';
import { storedTicket } from './db.js';

/**
 * Which store the suite runs on. `npm test` runs SQLite; `npm run test:pg` sets
 * HUSHDESK_TEST_DATABASE_URL to a PostgreSQL server the tests may create and
 * drop databases on (its own database is only used to do that).
 */
export const testServerUrl = process.env.HUSHDESK_TEST_DATABASE_URL?.trim() || null;
export const testStore: Store = testServerUrl ? 'postgres' : 'sqlite';

/**
 * Migrated once per run (test/helpers/global-setup.ts), which names it in the
 * environment the test workers inherit, so two runs on one server keep apart;
 * each test's database is a copy.
 */
export function templateDatabase(): string {
  return process.env.HUSHDESK_TEST_TEMPLATE ?? 'hushdesk_test_template';
}

/** The server's URL with another database name (keeps ?host= for a Unix socket). */
export const databaseUrl = withDatabase;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new database, copied from the migrated template (or empty), dropped by `drop`. */
export async function createTestDatabase(
  options: { empty?: boolean; serverUrl?: string } = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? testServerUrl;
  if (!serverUrl) throw new Error('HUSHDESK_TEST_DATABASE_URL is not set');
  const name = `hushdesk_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : templateDatabase();
  await onServer(serverUrl, (c) => c.query(`create database ${name} template ${template}`));
  return {
    url: databaseUrl(serverUrl, name),
    async drop() {
      await onServer(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Makes the template every test database is copied from; returns its name. */
export async function createTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `hushdesk_template_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`create database ${name} template template0`));
  return name;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
}

/**
 * A migrated store on its own, without an app, on the store the suite runs on:
 * a fresh SQLite file, or a PostgreSQL database copied from the template.
 */
export async function openTestStore(): Promise<{ db: Db; close(): Promise<void> }> {
  if (testServerUrl) {
    const database = await createTestDatabase();
    const db = createDb('', database.url);
    return {
      db,
      async close() {
        await db.destroy();
        await database.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'hushdesk-store-'));
  const db = createDb(dir);
  await migrateToLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For counts that do not depend on what a description says: a pass-through cipher. */
export const PLAIN = {
  keyId: 'plain',
  encrypt: (value: string | null) => value,
  decrypt: (value: string | null) => value,
} as PhiCipher;

/** A migrated store of its own, without the app, and the ids of the staff it holds. */
export interface BareStore {
  db: Db;
  people: number[];
}

/**
 * Within the calling file or describe block: a fresh store on the store the
 * suite runs on, migrated by the real migrator, with these usernames on the
 * staff (ids in `people`, in order), closed after its tests.
 */
export function useBareStore(usernames: string[], now: Date): BareStore {
  const store = { people: [] } as unknown as BareStore;
  let close = async () => {};
  beforeAll(async () => {
    const opened = await openTestStore();
    store.db = opened.db;
    close = opened.close;
    for (const name of usernames) {
      const member = await createStaff(
        store.db,
        {
          name,
          username: name,
          email: `${name}@example.org`,
          department: null,
          passwordHash: null,
          roleKey: 'staff',
        },
        now,
      );
      store.people.push(member.id);
    }
  });
  afterAll(() => close());
  return store;
}

/** A ticket opened by `by` at `at` straight through the repository, as a save without the app. */
export function openBareTicket(
  db: Db,
  ticket: { title?: string; priorityId?: number; assigneeId?: number | null },
  by: number,
  at: Date,
): Promise<number> {
  return insertTicket(
    db,
    PLAIN,
    {
      title: ticket.title ?? 'Printer jammed',
      description: null,
      priorityId: ticket.priorityId ?? 1,
      dueDate: null,
      assigneeId: ticket.assigneeId ?? null,
      openedFrom: null,
    },
    by,
    at,
  );
}

/** Changes a ticket straight through the repository, on its current version: the save must apply. */
export async function changeBareTicket(
  db: Db,
  id: number,
  changes: TicketChanges,
  at: Date,
): Promise<void> {
  const { version } = await storedTicket(db, id);
  expect(await updateTicketIfUnchanged(db, PLAIN, id, version, changes, at)).toBe(true);
}
