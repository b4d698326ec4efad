import type { Db } from '../db/index.js';

export async function createPasswordResetToken(
  db: Db,
  values: { tokenHash: string; staffId: number; createdBy: number | null },
  now: Date,
  expiresAt: Date,
): Promise<void> {
  await db
    .insertInto('password_reset_tokens')
    .values({
      token_hash: values.tokenHash,
      staff_id: values.staffId,
      created_by: values.createdBy,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      used_at: null,
    })
    .execute();
}

/** Closes every unused link of the person: a newer link or a new password replaces them. */
export async function closePasswordResetTokens(db: Db, staffId: number, now: Date): Promise<void> {
  await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now.toISOString() })
    .where('staff_id', '=', staffId)
    .where('used_at', 'is', null)
    .execute();
}

/** The person a link is for, while it is unused and unexpired. */
export async function findUsablePasswordResetToken(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<{ staff_id: number } | undefined> {
  return db
    .selectFrom('password_reset_tokens')
    .select('staff_id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
}

/** Marks the link used; the person's id, or undefined when it was spent, expired or unknown. */
export async function usePasswordResetToken(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<number | undefined> {
  const row = await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returning('staff_id')
    .executeTakeFirst();
  return row?.staff_id;
}
