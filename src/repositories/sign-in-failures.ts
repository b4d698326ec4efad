import { createHash } from 'node:crypto';
import type { FailureStore } from '../auth/throttle.js';
import type { Db } from '../db/index.js';

/**
 * The sign-in throttle's state, shared by every process on the store. Keys
 * (`user:ann`, `ip:10.0.0.7`) are stored as SHA-256 so the table holds no
 * usernames or addresses. Failures older than the throttle's memory are
 * treated as none and removed by `forgetSignInFailures`.
 */
export interface SignInFailures {
  failures: number;
  lastFailureAt: Date;
}

function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function findSignInFailures(
  db: Db,
  key: string,
  since: Date,
): Promise<SignInFailures | null> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select(['failures', 'last_failure_at'])
    .where('key_hash', '=', keyHash(key))
    .where('last_failure_at', '>=', since.toISOString())
    .executeTakeFirst();
  return row ? { failures: row.failures, lastFailureAt: new Date(row.last_failure_at) } : null;
}

/**
 * One more failure for `key`, in one statement (an upsert, the same on both
 * stores), so two processes counting at once lose neither. A count last moved
 * before `since` starts again from one.
 */
export async function recordSignInFailure(
  db: Db,
  key: string,
  now: Date,
  since: Date,
): Promise<number> {
  const at = now.toISOString();
  const row = await db
    .insertInto('sign_in_failures')
    .values({ key_hash: keyHash(key), failures: 1, last_failure_at: at })
    .onConflict((oc) =>
      oc.column('key_hash').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('sign_in_failures.last_failure_at', '<', since.toISOString())
          .then(1)
          .else(eb('sign_in_failures.failures', '+', 1))
          .end(),
        last_failure_at: at,
      })),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return row.failures;
}

/** One counted attempt turned out right: taken back, and the row gone at none. */
export async function forgiveSignInFailure(db: Db, key: string): Promise<void> {
  await db
    .updateTable('sign_in_failures')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('key_hash', '=', keyHash(key))
    .execute();
  await db
    .deleteFrom('sign_in_failures')
    .where('key_hash', '=', keyHash(key))
    .where('failures', '<=', 0)
    .execute();
}

/** The throttle's store (src/auth/throttle.ts) over this table. */
export function signInFailureStore(db: Db): FailureStore {
  return {
    find: (key, since) => findSignInFailures(db, key, since),
    record: async (key, now, since) => {
      await recordSignInFailure(db, key, now, since);
    },
    forgive: (key) => forgiveSignInFailure(db, key),
    clear: (key) => clearSignInFailures(db, key),
  };
}

export async function clearSignInFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('key_hash', '=', keyHash(key)).execute();
}

/** Housekeeping: rows last moved before `before` count for nothing. */
export async function forgetSignInFailures(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('sign_in_failures')
    .where('last_failure_at', '<', before.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
