import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_KEYS, runExclusively } from '../../src/db/dialect/locking.js';
import { checkStore, createDb, type Db } from '../../src/db/index.js';
import {
  claimDueOutboxMessages,
  insertOutboxMessage,
  renewOutboxClaim,
} from '../../src/repositories/outbox.js';
import { createTestDatabase, type TestDatabase, testStore } from '../helpers/store.js';

/**
 * What several processes on one PostgreSQL store rely on, with two pools on
 * one database standing in for two processes. PostgreSQL only: on SQLite one
 * server process holds the store (src/server-lock.ts).
 */
describe.skipIf(testStore !== 'postgres')('two processes on one PostgreSQL store', () => {
  let database: TestDatabase;
  let one: Db;
  let two: Db;
  const now = new Date('2026-11-27T15:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    one = createDb('', database.url);
    two = createDb('', database.url);
  });
  afterAll(async () => {
    await one?.destroy();
    await two?.destroy();
    await database?.drop();
  });

  it('counts, booleans and timestamps come back as from SQLite', async () => {
    const { rows } = await sql<{ n: number; yes: number; at: string }>`
      select count(*) as n, (1 = 1) as yes, min(created_at) as at from roles`.execute(one);
    expect(rows[0]).toEqual({ n: 4, yes: 1, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('claims each outbox row once when both claim at the same time, and retakes a dead lease', async () => {
    for (let i = 0; i < 40; i++) {
      await insertOutboxMessage(
        one,
        {
          kind: 'assigned',
          recipientStaffId: null,
          toAddress: `person${i}@example.org`,
          subject: `[hushdesk #${i}] Printer`,
          textBody: 'x',
          htmlBody: 'x',
          ticketId: null,
        },
        'localhost',
        now,
      );
    }
    const options = { now, limit: 15, leaseMs: 60_000 };
    const claims = await Promise.all([
      claimDueOutboxMessages(one, options),
      claimDueOutboxMessages(two, options),
      claimDueOutboxMessages(one, options),
      claimDueOutboxMessages(two, options),
    ]);
    const ids = claims.flat().map((row) => row.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    // Nothing is due while the leases last; after, every row may be taken over.
    expect(await claimDueOutboxMessages(two, options)).toHaveLength(0);
    const later = { ...options, now: new Date(now.getTime() + 60_001), limit: 100 };
    const retaken = await claimDueOutboxMessages(two, later);
    expect(retaken).toHaveLength(40);
    expect(retaken.every((row) => row.attempts === 2)).toBe(true);

    // The first claims are no longer theirs: renewing one says so, and it is not sent.
    const [stale] = claims.flat();
    const [fresh] = retaken;
    if (!stale || !fresh) throw new Error('no claims');
    const leaseEnds = new Date(later.now.getTime() + 60_000);
    expect(await renewOutboxClaim(one, stale, leaseEnds)).toBe(false);
    expect(await renewOutboxClaim(two, fresh, leaseEnds)).toBe(true);
  });

  it('runs a once-at-a-time job in one process only', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = runExclusively(one, LOCK_KEYS.housekeeping, async () => {
      started();
      await held;
    });
    await running;
    let ranTwice = false;
    const second = await runExclusively(two, LOCK_KEYS.housekeeping, async () => {
      ranTwice = true;
    });
    expect(second).toBe(false);
    expect(ranTwice).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(await runExclusively(two, LOCK_KEYS.housekeeping, async () => {})).toBe(true);
  });

  it('stops start-up with one line naming DATABASE_URL when the server does not answer', async () => {
    const nowhere = createDb('', 'postgres://hushdesk@localhost:1/hushdesk');
    try {
      await expect(checkStore(nowhere)).rejects.toThrowError(
        /^DATABASE_URL: cannot reach the PostgreSQL server \([^\n]*\)$/,
      );
    } finally {
      await nowhere.destroy();
    }
  });
});
