import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';
import { getSetting } from './settings.js';

/** The outside support desk tickets are escalated to (Settings: name and email). */
export interface EscalationDesk {
  name: string;
  email: string;
}

function filled(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The desk, or null until both its name and its email address are set. */
export async function getEscalationDesk(db: Db): Promise<EscalationDesk | null> {
  const [name, email] = await Promise.all([
    getSetting<unknown>(db, 'escalation_desk_name', null),
    getSetting<unknown>(db, 'escalation_desk_email', null),
  ]);
  const n = filled(name);
  const e = filled(email);
  return n && e ? { name: n, email: e } : null;
}

export interface Escalation {
  ticket_id: number;
  sent_at: string;
  sent_by: number;
  sender_name: string;
  desk_name: string;
  desk_email: string;
}

/** Compiled once (src/db/prepared.ts): every ticket page reads it. */
const escalationQuery = prepared((db, v: { ticketId: number }) =>
  db
    .selectFrom('ticket_escalations as e')
    .innerJoin('staff', 'staff.id', 'e.sent_by')
    .select([
      'e.ticket_id',
      'e.sent_at',
      'e.sent_by',
      'staff.name as sender_name',
      'e.desk_name',
      'e.desk_email',
    ])
    .where('e.ticket_id', '=', v.ticketId),
);

export function findEscalation(db: Db, ticketId: number): Promise<Escalation | undefined> {
  return escalationQuery.first(db, { ticketId });
}

/** Records the sending; false when the ticket had already been sent (nothing written). */
export async function insertEscalation(
  db: Db,
  ticketId: number,
  sentBy: number,
  desk: EscalationDesk,
  now: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('ticket_escalations')
    .values({
      ticket_id: ticketId,
      sent_at: now.toISOString(),
      sent_by: sentBy,
      desk_name: desk.name,
      desk_email: desk.email,
    })
    .onConflict((oc) => oc.column('ticket_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}
