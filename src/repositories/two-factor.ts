import type { Db } from '../db/index.js';

export interface TwoFactorRow {
  staff_id: number;
  /** Encrypted with the PHI key. */
  secret: string;
  confirmed_at: string | null;
  last_step: number | null;
  created_at: string;
}

export function findTwoFactor(db: Db, staffId: number): Promise<TwoFactorRow | undefined> {
  return db
    .selectFrom('staff_two_factor')
    .selectAll()
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
}

export async function hasConfirmedTwoFactor(db: Db, staffId: number): Promise<boolean> {
  const row = await db
    .selectFrom('staff_two_factor')
    .select('staff_id')
    .where('staff_id', '=', staffId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Stores a new, unconfirmed secret; refuses (false) when one is already confirmed. */
export async function saveUnconfirmedSecret(
  db: Db,
  staffId: number,
  encryptedSecret: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('staff_two_factor')
    .values({
      staff_id: staffId,
      secret: encryptedSecret,
      confirmed_at: null,
      last_step: null,
      created_at: now.toISOString(),
    })
    .onConflict((oc) =>
      oc
        .column('staff_id')
        .doUpdateSet({ secret: encryptedSecret, created_at: now.toISOString(), last_step: null })
        .where('staff_two_factor.confirmed_at', 'is', null),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * Records `step` as used, if it is later than the last one used. Returns false
 * when another request already used this or a later step: a code works once.
 */
export async function useTotpStep(db: Db, staffId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable('staff_two_factor')
    .set({ last_step: step })
    .where('staff_id', '=', staffId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Turns the second factor on and replaces the recovery codes, in one transaction. */
export async function confirmTwoFactor(
  db: Db,
  staffId: number,
  step: number,
  recoveryCodeHashes: string[],
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_two_factor')
      .set({ confirmed_at: now.toISOString(), last_step: step })
      .where('staff_id', '=', staffId)
      .execute();
    await replaceRecoveryCodes(trx, staffId, recoveryCodeHashes, now);
  });
}

export async function replaceRecoveryCodes(
  db: Db,
  staffId: number,
  hashes: string[],
  now: Date,
): Promise<void> {
  await db.deleteFrom('staff_recovery_codes').where('staff_id', '=', staffId).execute();
  if (hashes.length === 0) return;
  await db
    .insertInto('staff_recovery_codes')
    .values(
      hashes.map((code_hash) => ({
        staff_id: staffId,
        code_hash,
        created_at: now.toISOString(),
        used_at: null,
      })),
    )
    .execute();
}

/** Marks a recovery code used; false when it is not this person's or was used before. */
export async function useRecoveryCode(
  db: Db,
  staffId: number,
  codeHash: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('staff_recovery_codes')
    .set({ used_at: now.toISOString() })
    .where('staff_id', '=', staffId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Db, staffId: number): Promise<number> {
  const row = await db
    .selectFrom('staff_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('staff_id', '=', staffId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Turns the second factor off (the person, or an administrator for someone locked out). */
export async function removeTwoFactor(db: Db, staffId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('staff_recovery_codes').where('staff_id', '=', staffId).execute();
    await trx.deleteFrom('staff_two_factor').where('staff_id', '=', staffId).execute();
  });
}

export interface PendingSignIn {
  id: string;
  staff_id: number;
  next: string;
  failures: number;
  expires_at: string;
}

export async function createPendingSignIn(
  db: Db,
  values: { id: string; staffId: number; next: string },
  now: Date,
  expiresAt: Date,
): Promise<void> {
  await db.deleteFrom('pending_sign_ins').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('pending_sign_ins')
    .values({
      id: values.id,
      staff_id: values.staffId,
      next: values.next,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
}

export function findPendingSignIn(
  db: Db,
  id: string,
  now: Date,
): Promise<PendingSignIn | undefined> {
  return db
    .selectFrom('pending_sign_ins')
    .select(['id', 'staff_id', 'next', 'failures', 'expires_at'])
    .where('id', '=', id)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
}

/** Counts one wrong code; returns how many there have been. */
export async function countPendingFailure(db: Db, id: string): Promise<number> {
  const row = await db
    .updateTable('pending_sign_ins')
    .set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('id', '=', id)
    .returning('failures')
    .executeTakeFirst();
  return row?.failures ?? 0;
}

export async function deletePendingSignIn(db: Db, id: string): Promise<void> {
  await db.deleteFrom('pending_sign_ins').where('id', '=', id).execute();
}
