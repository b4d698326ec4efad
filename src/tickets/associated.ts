import { type Actor, auditActorOf, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { recordAudit } from '../repositories/audit.js';
import { addAssociatedStaff, removeAssociatedStaff, touchTicket } from '../repositories/tickets.js';
import { recordEvents } from '../repositories/timeline.js';

/** Associated staff can see the ticket: adding someone grants access, so it is audited. */
async function auditAssociation(
  trx: Db,
  change: ChangeContext,
  action: string,
  ticketId: number,
  person: Actor,
): Promise<void> {
  await recordAudit(
    trx,
    {
      actor: auditActorOf(change),
      action,
      ticketId,
      detail: `${person.name} (${person.username})`,
      ip: change.ip,
    },
    change.now,
  );
}

export interface AssociationChange {
  ticketId: number;
  person: Actor;
  change: ChangeContext;
}

/**
 * Adds someone to "Staff associated with Ticket". The timeline says who added
 * whom; false (and nothing written) when they already were.
 */
export async function addAssociated(
  db: Db,
  { ticketId, person, change: context }: AssociationChange,
): Promise<boolean> {
  const { actor, now } = context;
  return db.transaction().execute(async (trx) => {
    if (!(await addAssociatedStaff(trx, ticketId, person.id, actor.id, now))) return false;
    await recordEvents(
      trx,
      [{ ticketId, staffId: actor.id, kind: 'associated_added', newValue: person.name }],
      now,
    );
    await touchTicket(trx, ticketId, now);
    await auditAssociation(trx, context, 'associated-staff-added', ticketId, person);
    return true;
  });
}

/** Takes someone off the ticket's associated staff; false when they were not on it. */
export async function removeAssociated(
  db: Db,
  { ticketId, person, change: context }: AssociationChange,
): Promise<boolean> {
  const { actor, now } = context;
  return db.transaction().execute(async (trx) => {
    if (!(await removeAssociatedStaff(trx, ticketId, person.id))) return false;
    await recordEvents(
      trx,
      [{ ticketId, staffId: actor.id, kind: 'associated_removed', oldValue: person.name }],
      now,
    );
    await touchTicket(trx, ticketId, now);
    await auditAssociation(trx, context, 'associated-staff-removed', ticketId, person);
    return true;
  });
}
