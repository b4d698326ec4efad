import { hashToken, randomToken } from '../auth/tokens.js';
import { auditChange, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { recordAudit, staffActor } from '../repositories/audit.js';
import {
  closePasswordResetTokens,
  createPasswordResetToken,
  usePasswordResetToken,
} from '../repositories/password-resets.js';
import { deleteOtherSessionsOfStaff, deleteSessionsOfStaff } from '../repositories/sessions.js';
import { findStaffById, setPasswordHash } from '../repositories/staff.js';

/** How long a password link an administrator makes stays usable. */
export const RESET_LINK_HOURS = 24;

/**
 * Makes a one-time link for the person to set a new password, and closes any
 * earlier one. Only the token's hash is stored; the link is shown once.
 */
export async function createPasswordResetLink(
  db: Db,
  { staffId, change }: { staffId: number; change: ChangeContext },
): Promise<string> {
  const { actor, now, baseUrl } = change;
  const token = randomToken();
  const expires = new Date(now.getTime() + RESET_LINK_HOURS * 3_600_000);
  await db.transaction().execute(async (trx) => {
    const member = await findStaffById(trx, staffId);
    if (member?.active !== 1) throw new Error('password links are for active staff');
    await closePasswordResetTokens(trx, staffId, now);
    await createPasswordResetToken(
      trx,
      { tokenHash: hashToken(token), staffId, createdBy: actor.id },
      now,
      expires,
    );
    await auditChange(trx, change, {
      action: 'password-link-created',
      detail: `Password link for ${member.name} (${member.username}), valid ${RESET_LINK_HOURS} hours`,
    });
  });
  return `${baseUrl}/reset/${token}`;
}

/**
 * Spends the link and sets the new password. The person's sessions end, so
 * whoever might have been using the old password is out. False when the link
 * was spent, expired or unknown, or the person was deactivated meanwhile.
 */
export async function setPasswordWithLink(
  db: Db,
  tokenHash: string,
  passwordHash: string,
  ip: string,
  now: Date,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const staffId = await usePasswordResetToken(trx, tokenHash, now);
    const member = staffId === undefined ? undefined : await findStaffById(trx, staffId);
    if (member?.active !== 1) return false;
    await setPasswordHash(trx, member.id, passwordHash, now);
    await closePasswordResetTokens(trx, member.id, now);
    await deleteSessionsOfStaff(trx, member.id);
    await recordAudit(
      trx,
      {
        actor: staffActor(member),
        action: 'password-reset',
        detail: 'Password set with a link',
        ip,
      },
      now,
    );
    return true;
  });
}

/** The person's own change: their other sessions end, the one in use carries on. */
export async function changeOwnPassword(
  db: Db,
  {
    sessionId,
    passwordHash,
    change,
  }: { sessionId: string; passwordHash: string; change: ChangeContext },
): Promise<void> {
  const { actor, now } = change;
  await db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, actor.id, passwordHash, now);
    await closePasswordResetTokens(trx, actor.id, now);
    await deleteOtherSessionsOfStaff(trx, actor.id, sessionId);
    await auditChange(trx, change, { action: 'password-changed' });
  });
}
