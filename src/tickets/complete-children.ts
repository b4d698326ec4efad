import { auditActorOf, type ChangeContext } from '../change-context.js';
import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { queueTicketNotification } from '../notifications/compose.js';
import { recordAudit } from '../repositories/audit.js';
import { listOpenWaitingChildren } from '../repositories/ticket-links.js';
import { updateTicketIfUnchanged } from '../repositories/tickets.js';
import { recordEvents } from '../repositories/timeline.js';
import { formatDate } from './dates.js';
import { statusLabel } from './model.js';
import type { Viewer } from './visibility.js';
import { waitingClockChanges } from './waiting-time.js';

/**
 * Completes the open tickets waiting on a parent, inside the transaction that
 * completes the parent: each child gets today's Date completed, its timeline
 * and audit rows, and its people the same notice as any completion. Children
 * the person may not see are left as they are. Returns the numbers completed.
 */
export async function completeWaitingChildrenIn(
  trx: Db,
  phi: PhiCipher,
  options: { parentId: number; viewer: Viewer; change: ChangeContext; today: string },
): Promise<number[]> {
  const { parentId, viewer, change, today } = options;
  const { actor, now } = change;
  const done: number[] = [];
  for (const child of await listOpenWaitingChildren(trx, parentId, viewer)) {
    const changes = {
      status: 'complete' as const,
      completed_date: today,
      ...waitingClockChanges(child, 'complete', now),
    };
    // Saved meanwhile by someone else: that save stands, this child is left alone.
    if (!(await updateTicketIfUnchanged(trx, phi, child.id, child.version, changes, now))) continue;
    const base = { ticketId: child.id, staffId: actor.id, kind: 'changed' as const };
    await recordEvents(
      trx,
      [
        { ...base, field: 'Status', oldValue: statusLabel(child.status), newValue: 'Complete' },
        {
          ...base,
          field: 'Date completed',
          oldValue: formatDate(child.completed_date) || 'none',
          newValue: formatDate(today),
        },
      ],
      now,
    );
    await recordAudit(
      trx,
      {
        actor: auditActorOf(change),
        action: 'ticket-changed',
        ticketId: child.id,
        detail: `Status, Date completed (with #${parentId}, which it waited on)`,
        ip: change.ip,
      },
      now,
    );
    await queueTicketNotification(
      trx,
      { kind: 'status_changed', ticketId: child.id, actor, status: 'complete' },
      change,
    );
    done.push(child.id);
  }
  return done;
}
