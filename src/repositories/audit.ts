import type { Db } from '../db/index.js';

export interface AuditActor {
  staffId?: number | null;
  tokenId?: number | null;
  /** "Ann Lee (ann)"; kept as text so the row reads the same after a rename. */
  label: string;
}

export interface AuditRecord {
  actor: AuditActor;
  /** A short verb phrase: sign-in, sign-in-failed, ticket-viewed, staff-changed … */
  action: string;
  ticketId?: number | null;
  /** Plain words, never PHI. */
  detail?: string | null;
  ip?: string | null;
}

export function staffActor(staff: { id: number; name: string; username: string }): AuditActor {
  return { staffId: staff.id, label: `${staff.name} (${staff.username})` };
}

/** Appends one row to the audit log. There is no update or delete beside it. */
export async function recordAudit(db: Db, record: AuditRecord, now: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now.toISOString(),
      staff_id: record.actor.staffId ?? null,
      token_id: record.actor.tokenId ?? null,
      actor: record.actor.label,
      action: record.action,
      ticket_id: record.ticketId ?? null,
      detail: record.detail ?? null,
      ip: record.ip ?? null,
    })
    .execute();
}
