import { hashToken, randomToken } from '../auth/tokens.js';
import type { Db } from '../db/index.js';

/** A window left open longer than this saves like one without a token. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/** A new one-time token for a ticket window opened by `staffId`; old tokens are dropped. */
export async function issueTicketFormToken(db: Db, staffId: number, now: Date): Promise<string> {
  const token = randomToken();
  await db
    .deleteFrom('ticket_form_tokens')
    .where('created_at', '<', new Date(now.getTime() - KEEP_MS).toISOString())
    .execute();
  await db
    .insertInto('ticket_form_tokens')
    .values({
      token_hash: hashToken(token),
      staff_id: staffId,
      created_at: now.toISOString(),
      ticket_id: null,
    })
    .execute();
  return token;
}

/** The ticket already made with this person's token, or null (unused, unknown or not theirs). */
export async function findTicketMadeWith(
  db: Db,
  token: string,
  staffId: number,
): Promise<number | null> {
  const row = await db
    .selectFrom('ticket_form_tokens')
    .select('ticket_id')
    .where('token_hash', '=', hashToken(token))
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return row?.ticket_id ?? null;
}

/**
 * Binds the token to the ticket just made, inside the ticket's transaction.
 * Answers the ticket an earlier post already made with it, or null: claimed
 * now, or the token was never issued to this person (or has been dropped).
 */
export async function claimTicketFormToken(
  trx: Db,
  token: string,
  staffId: number,
  ticketId: number,
): Promise<number | null> {
  const result = await trx
    .updateTable('ticket_form_tokens')
    .set({ ticket_id: ticketId })
    .where('token_hash', '=', hashToken(token))
    .where('staff_id', '=', staffId)
    .where('ticket_id', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return null;
  return findTicketMadeWith(trx, token, staffId);
}
