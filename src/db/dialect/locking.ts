import type { SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../index.js';
import { type Store, storeOf } from './store.js';

/**
 * Locking: what several processes on one store need, and what one SQLite
 * writer gets for free.
 *
 * SQLite: one server process per DATA_DIR (src/server-lock.ts) and one writer,
 * so a claim cannot race and every lock is already held.
 * PostgreSQL: rows are claimed with FOR UPDATE SKIP LOCKED, and once-at-a-time
 * jobs take a session advisory lock.
 */

/** Rows to claim: on PostgreSQL, those no other transaction holds are skipped, not waited for. */
export function skipLockedRows<DB, TB extends keyof DB, O>(
  store: Store,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return store === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/** True when only one server process can use the store, so work it finds half-done is its own. */
export function hasOneServerProcess(store: Store): boolean {
  return store === 'sqlite';
}

/** Advisory lock keys: one per once-at-a-time job. */
export const LOCK_KEYS = {
  housekeeping: 0x68757368,
  reminders: 0x68757369,
  reportCalendar: 0x6875736a,
} as const;

/**
 * Waits until no other transaction holds `key`, then holds it until this
 * transaction ends (PostgreSQL: a transaction advisory lock). For work two
 * processes starting together would both find to do: the second waits, then
 * looks again and finds it done. On SQLite the one writer already serialises it.
 */
export async function lockUntilCommit(trx: Db, key: number): Promise<void> {
  if (storeOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
}

/**
 * Runs `job` unless another process is running it (PostgreSQL: a session
 * advisory lock held on one pooled connection for the job's length). Returns
 * false when it did not run. On SQLite it always runs.
 */
export async function runExclusively(
  db: Db,
  key: number,
  job: () => Promise<void>,
): Promise<boolean> {
  if (storeOf(db) !== 'postgres') {
    await job();
    return true;
  }
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: number }>`
      select pg_try_advisory_lock(${key}) as locked`.execute(connection);
    if (!rows[0]?.locked) return false;
    try {
      await job();
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(connection);
    }
    return true;
  });
}
