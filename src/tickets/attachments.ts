import { auditActorOf, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { insertAttachments, type SealedAttachment } from '../repositories/attachments.js';
import { type AuditActor, recordAudit } from '../repositories/audit.js';
import { touchTicket } from '../repositories/tickets.js';
import { recordEvents } from '../repositories/timeline.js';

/**
 * Adds files to a ticket, or to a note of it, in the caller's transaction.
 * Files without a note get a timeline entry of their own; a note's files show
 * with the note. No notification: a file, and its name, never leave hushdesk.
 */
export async function attachFilesIn(
  trx: Db,
  options: {
    ticketId: number;
    noteId: number | null;
    files: readonly SealedAttachment[];
    change: ChangeContext;
    /** Who the audit row names, when not the change's actor (an API token). */
    auditActor?: AuditActor;
  },
): Promise<void> {
  const { ticketId, noteId, files, change } = options;
  if (files.length === 0) return;
  await insertAttachments(trx, files, { ticketId, noteId, staffId: change.actor.id }, change.now);
  const count = `${files.length} ${files.length === 1 ? 'file' : 'files'}`;
  if (noteId === null) {
    await recordEvents(
      trx,
      [{ ticketId, staffId: change.actor.id, kind: 'attached', newValue: count }],
      change.now,
    );
  }
  await recordAudit(
    trx,
    {
      actor: options.auditActor ?? auditActorOf(change),
      action: 'attachment-added',
      ticketId,
      detail: noteId === null ? count : `${count} with note ${noteId}`,
      ip: change.ip,
    },
    change.now,
  );
  await touchTicket(trx, ticketId, change.now);
}
