import { auditChange, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { queueTicketNotification } from '../notifications/compose.js';
import {
  type Escalation,
  type EscalationDesk,
  findEscalation,
  getEscalationDesk,
  insertEscalation,
} from '../repositories/escalation.js';
import { listChampions, type StaffWithPermission } from '../repositories/roles.js';
import { touchTicket } from '../repositories/tickets.js';
import { recordEvents } from '../repositories/timeline.js';
import { isExternalSupport } from '../staff/external.js';
import type { SignedInStaff } from '../types.js';
import { formatDateTime } from './dates.js';

export type SendOutcome =
  | { kind: 'sent'; desk: EscalationDesk }
  | { kind: 'already-sent'; escalation: Escalation }
  | { kind: 'no-desk' };

/**
 * Sends a ticket to the desk inside the caller's transaction: the mark, the
 * timeline entry, the audit row, then (last, as it reads the tables) the
 * title-only notification to the desk and to the ticket's own people. False
 * when the ticket had already been sent: nothing is written then.
 */
export async function sendToDeskIn(
  trx: Db,
  { ticketId, desk, change }: { ticketId: number; desk: EscalationDesk; change: ChangeContext },
): Promise<boolean> {
  const { actor, now } = change;
  if (!(await insertEscalation(trx, ticketId, actor.id, desk, now))) return false;
  await recordEvents(
    trx,
    [{ ticketId, staffId: actor.id, kind: 'escalated', newValue: desk.name }],
    now,
  );
  await touchTicket(trx, ticketId, now);
  await auditChange(trx, change, {
    action: 'ticket-sent-to-desk',
    ticketId,
    detail: `Sent to ${desk.name} <${desk.email}>`,
  });
  await queueTicketNotification(
    trx,
    { kind: 'escalated', ticketId, actor, alsoTo: [{ address: desk.email }] },
    change,
  );
  return true;
}

/** Sends a ticket to the desk as configured now, in a transaction of its own. */
export async function sendTicketToDesk(
  db: Db,
  { ticketId, change }: { ticketId: number; change: ChangeContext },
): Promise<SendOutcome> {
  const desk = await getEscalationDesk(db);
  if (!desk) return { kind: 'no-desk' };
  const sent = await db
    .transaction()
    .execute((trx) => sendToDeskIn(trx, { ticketId, desk, change }));
  if (sent) return { kind: 'sent', desk };
  const escalation = await findEscalation(db, ticketId);
  if (!escalation) throw new Error(`ticket ${ticketId} neither sent nor already sent`);
  return { kind: 'already-sent', escalation };
}

/** What the ticket window and the ticket page show about the desk. */
export interface EscalationView {
  /** Null until Settings holds both the desk's name and email. */
  desk: EscalationDesk | null;
  /** Whether the person looking may send tickets to the desk. */
  maySend: boolean;
  /** For those who may not: the champions to assign the ticket to instead. */
  champions: StaffWithPermission[];
}

export async function escalationView(db: Db, staff: SignedInStaff): Promise<EscalationView> {
  const desk = await getEscalationDesk(db);
  const maySend = staff.permissions.has('send_to_desk');
  // External support never sees the staff list, champions included.
  const showChampions = desk !== null && !maySend && !isExternalSupport(staff);
  return { desk, maySend, champions: showChampions ? await listChampions(db) : [] };
}

/** The words for a ticket already sent, used wherever sending again is refused. */
export function alreadySentMessage(escalation: Escalation, timeZone: string): string {
  const when = formatDateTime(escalation.sent_at, timeZone);
  return `This ticket was already sent to ${escalation.desk_name} on ${when} by ${escalation.sender_name}; a ticket is sent once.`;
}

export const NO_DESK_MESSAGE =
  'The escalation desk is not set up: an administrator enters its name and email address in Settings.';

/** Why a ticket was not sent, or null when it was. */
export function describeNotSent(outcome: SendOutcome, timeZone: string): string | null {
  if (outcome.kind === 'already-sent') return alreadySentMessage(outcome.escalation, timeZone);
  if (outcome.kind === 'no-desk') return NO_DESK_MESSAGE;
  return null;
}
