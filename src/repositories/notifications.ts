import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';

/** The kinds a staff member turned off; every other kind is on. */
export async function listDisabledKinds(db: Db, staffId: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom('notification_preferences')
    .select('kind')
    .where('staff_id', '=', staffId)
    .where('enabled', '=', 0)
    .execute();
  return new Set(rows.map((r) => r.kind));
}

/** Stores a choice for every kind given: on for those in `enabled`, off for the rest. */
export async function setNotificationPreferences(
  db: Db,
  staffId: number,
  choices: { kinds: readonly string[]; enabled: ReadonlySet<string> },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  for (const kind of choices.kinds) {
    const enabled = choices.enabled.has(kind) ? 1 : 0;
    await db
      .insertInto('notification_preferences')
      .values({ staff_id: staffId, kind, enabled, updated_at: at })
      .onConflict((oc) => oc.columns(['staff_id', 'kind']).doUpdateSet({ enabled, updated_at: at }))
      .execute();
  }
}

/** Of the staff given, those still active who have not turned this kind off, with their addresses. */
export function findStaffToNotify(
  db: Db,
  staffIds: readonly number[],
  kind: string,
): Promise<{ id: number; email: string }[]> {
  if (staffIds.length === 0) return Promise.resolve([]);
  if (staffIds.length > COMPILED_RECIPIENTS) return staffToNotify(db, staffIds, kind).execute();
  // Compiled once per number of recipients (one to three on nearly every change).
  const values: Record<string, unknown> = { kind };
  staffIds.forEach((id, i) => {
    values[`id${i}`] = id;
  });
  return staffToNotifyQuery.rows(db, values, String(staffIds.length));
}

/** Up to this many recipients, the query is compiled once per count. */
const COMPILED_RECIPIENTS = 8;

function staffToNotify(db: Db, staffIds: readonly number[], kind: string) {
  return db
    .selectFrom('staff')
    .select(['staff.id', 'staff.email'])
    .where('staff.id', 'in', staffIds)
    .where('staff.active', '=', 1)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notification_preferences as p')
            .select('p.kind')
            .whereRef('p.staff_id', '=', 'staff.id')
            .where('p.kind', '=', kind)
            .where('p.enabled', '=', 0),
        ),
      ),
    )
    .orderBy('staff.id');
}

const staffToNotifyQuery = prepared((db, v: Record<string, unknown>, shape) => {
  // Placeholders standing for the ids and the kind (src/db/prepared.ts).
  const ids = Array.from({ length: Number(shape) }, (_, i) => v[`id${i}`] as number);
  return staffToNotify(db, ids, v.kind as string);
});

/** The people a ticket's notifications can go to: its assignee, creator and associated staff. */
export interface TicketAudience {
  ticket: { id: number; title: string };
  assigneeId: number | null;
  creatorId: number;
  associatedIds: number[];
}

/** Compiled once (src/db/prepared.ts): every create, save and note reads the audience. */
const audienceTicketQuery = prepared((db, v: { ticketId: number }) =>
  db
    .selectFrom('tickets')
    .select(['id', 'title', 'assignee_id', 'created_by'])
    .where('id', '=', v.ticketId),
);
const audienceAssociatedQuery = prepared((db, v: { ticketId: number }) =>
  db
    .selectFrom('ticket_associated_staff')
    .select('staff_id')
    .where('ticket_id', '=', v.ticketId)
    .orderBy('staff_id'),
);

export async function findTicketAudience(db: Db, ticketId: number): Promise<TicketAudience | null> {
  const ticket = await audienceTicketQuery.first(db, { ticketId });
  if (!ticket) return null;
  const associated = await audienceAssociatedQuery.rows(db, { ticketId });
  return {
    ticket: { id: ticket.id, title: ticket.title },
    assigneeId: ticket.assignee_id,
    creatorId: ticket.created_by,
    associatedIds: associated.map((a) => a.staff_id),
  };
}

/** Open tickets with an assignee that are due on or before `date` (YYYY-MM-DD). */
export function listTicketsDueBy(
  db: Db,
  date: string,
): Promise<{ id: number; title: string; due_date: string | null; assignee_id: number | null }[]> {
  return db
    .selectFrom('tickets')
    .select(['id', 'title', 'due_date', 'assignee_id'])
    .where('due_date', '<=', date)
    .where('status', 'in', ['new', 'in_progress', 'waiting'])
    .where('assignee_id', 'is not', null)
    .orderBy('id')
    .execute();
}
