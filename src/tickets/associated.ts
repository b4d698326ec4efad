import type { Db } from '../db/index.js';
import { type AuditActor, recordAudit } from '../repositories/audit.js';
import { addAssociatedStaff, removeAssociatedStaff, touchTicket } from '../repositories/tickets.js';
import { recordEvents } from '../repositories/timeline.js';
import type { Actor } from './service.js';

/** Who is being added or removed: a name that reads the same in the timeline later. */
export interface Person {
  id: number;
  name: string;
  username: string;
}

export interface ChangeContext {
  actor: Actor;
  /** Associated staff can see the ticket: adding someone grants access, so it is audited. */
  audit: { actor: AuditActor; ip: string };
  now: Date;
}

/**
 * Adds someone to "Staff associated with Ticket". The timeline says who added
 * whom; false (and nothing written) when they already were.
 */
export async function addAssociated(
  db: Db,
  ticketId: number,
  person: Person,
  context: ChangeContext,
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
    await recordAudit(
      trx,
      {
        ...context.audit,
        action: 'associated-staff-added',
        ticketId,
        detail: `${person.name} (${person.username})`,
      },
      now,
    );
    return true;
  });
}

/** Takes someone off the ticket's associated staff; false when they were not on it. */
export async function removeAssociated(
  db: Db,
  ticketId: number,
  person: Person,
  context: ChangeContext,
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
    await recordAudit(
      trx,
      {
        ...context.audit,
        action: 'associated-staff-removed',
        ticketId,
        detail: `${person.name} (${person.username})`,
      },
      now,
    );
    return true;
  });
}
