import type { Db } from './db/index.js';
import { type AuditActor, recordAudit, staffActor } from './repositories/audit.js';

/** Who made a change: the signed-in person, or the staff row an API token stands for. */
export interface Actor {
  id: number;
  name: string;
  username: string;
}

/**
 * Who did it, from where, when, and where links in mail point: built once per
 * request and handed to every service that writes, so the timeline, the audit
 * log and the notifications all name the same person at the same moment.
 */
export interface ChangeContext {
  actor: Actor;
  /** The address the change came from, for the audit log. */
  ip: string | null;
  now: Date;
  /** BASE_URL: links in notifications point here. */
  baseUrl: string;
}

/** The actor as an audit row names them. */
export function auditActorOf(context: ChangeContext): AuditActor {
  return staffActor(context.actor);
}

/** What a change writes to the audit log beside who, from where and when. */
export interface AuditedChange {
  action: string;
  ticketId?: number | null;
  /** Plain words, never PHI. */
  detail?: string | null;
}

/** Appends the audit row of a change, naming the context's actor, address and moment. */
export async function auditChange(
  db: Db,
  change: ChangeContext,
  { action, ticketId, detail }: AuditedChange,
): Promise<void> {
  await recordAudit(
    db,
    { actor: auditActorOf(change), action, ticketId, detail, ip: change.ip },
    change.now,
  );
}
