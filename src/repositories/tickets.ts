import { type Insertable, sql } from 'kysely';
import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';
import type { TicketStatus, TicketTable } from '../db/schema.js';
import type { OpenedFrom } from '../tickets/opened-from.js';
import { shapeOf, type Viewer, viewerOfShape, visibleTo } from '../tickets/visibility.js';

export interface NewTicket {
  title: string;
  description: string | null;
  priorityId: number;
  dueDate: string | null;
  assigneeId: number | null;
  openedFrom: OpenedFrom | null;
}

/** The columns a new ticket is written with; the rest take their defaults. */
type NewTicketRow = Required<
  Pick<
    Insertable<TicketTable>,
    | 'title'
    | 'description'
    | 'priority_id'
    | 'status'
    | 'due_date'
    | 'completed_date'
    | 'assignee_id'
    | 'created_by'
    | 'opened_from'
    | 'opened_from_host'
    | 'created_at'
    | 'updated_at'
  >
>;

/** Compiled once (src/db/prepared.ts): every create runs it. */
const insertTicketQuery = prepared((db, v: NewTicketRow) =>
  db
    .insertInto('tickets')
    .values({
      title: v.title,
      description: v.description,
      priority_id: v.priority_id,
      status: v.status,
      due_date: v.due_date,
      completed_date: v.completed_date,
      assignee_id: v.assignee_id,
      created_by: v.created_by,
      opened_from: v.opened_from,
      opened_from_host: v.opened_from_host,
      created_at: v.created_at,
      updated_at: v.updated_at,
    })
    .returning('id'),
);

/** Descriptions are PHI: encrypted here on the way in, decrypted on the way out. */
export async function insertTicket(
  db: Db,
  phi: PhiCipher,
  ticket: NewTicket,
  createdBy: number,
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const row = await insertTicketQuery.first(db, {
    title: ticket.title,
    description: phi.encrypt(ticket.description),
    priority_id: ticket.priorityId,
    status: 'new',
    due_date: ticket.dueDate,
    completed_date: null,
    assignee_id: ticket.assigneeId,
    created_by: createdBy,
    opened_from: ticket.openedFrom?.path ?? null,
    opened_from_host: ticket.openedFrom?.host ?? null,
    created_at: at,
    updated_at: at,
  });
  if (!row) throw new Error('the new ticket was not given a number');
  return row.id;
}

export interface TicketDetail {
  id: number;
  title: string;
  description: string | null;
  status: TicketStatus;
  due_date: string | null;
  completed_date: string | null;
  assignee_id: number | null;
  assignee_name: string | null;
  created_by: number;
  creator_name: string;
  opened_from: string | null;
  opened_from_host: string | null;
  /** The administrator's name for opened_from_host, if it has one. */
  opened_from_name: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  priority_id: number;
  priority_key: string;
  priority_name: string;
  response_minutes: number | null;
  merged_into: number | null;
  waiting_since: string | null;
  waited_seconds: number;
}

/** One ticket as its page shows it, if the viewer may see it. Compiled once per kind of viewer. */
const visibleTicketQuery = prepared((db, v: { id: number; viewerId: number }, shape) =>
  db
    .selectFrom('tickets')
    .innerJoin('priorities as p', 'p.id', 'tickets.priority_id')
    .innerJoin('staff as creator', 'creator.id', 'tickets.created_by')
    .leftJoin('staff as assignee', 'assignee.id', 'tickets.assignee_id')
    .leftJoin('application_names as app', 'app.host', 'tickets.opened_from_host')
    .select([
      'tickets.id',
      'tickets.title',
      'tickets.description',
      'tickets.status',
      'tickets.due_date',
      'tickets.completed_date',
      'tickets.assignee_id',
      'assignee.name as assignee_name',
      'tickets.created_by',
      'creator.name as creator_name',
      'tickets.opened_from',
      'tickets.opened_from_host',
      'app.name as opened_from_name',
      'tickets.version',
      'tickets.created_at',
      'tickets.updated_at',
      'tickets.priority_id',
      'p.key as priority_key',
      'p.name as priority_name',
      'p.response_minutes',
      'tickets.merged_into',
      'tickets.waiting_since',
      'tickets.waited_seconds',
    ])
    .where('tickets.id', '=', v.id)
    .where(visibleTo(viewerOfShape(shape, v.viewerId))),
);

export async function findVisibleTicket(
  db: Db,
  phi: PhiCipher,
  id: number,
  viewer: Viewer,
): Promise<TicketDetail | undefined> {
  const row = await visibleTicketQuery.first(db, { id, viewerId: viewer.id }, shapeOf(viewer));
  return row && { ...row, description: phi.decrypt(row.description) };
}

export interface TicketChanges {
  title?: string;
  description?: string | null;
  priority_id?: number;
  status?: TicketStatus;
  due_date?: string | null;
  completed_date?: string | null;
  assignee_id?: number | null;
  waiting_since?: string | null;
  waited_seconds?: number;
}

/**
 * Applies changes only if nobody saved since `baseVersion` was read: false
 * means a conflict, and nothing was written.
 */
export async function updateTicketIfUnchanged(
  db: Db,
  phi: PhiCipher,
  id: number,
  baseVersion: number,
  changes: TicketChanges,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('tickets')
    .set({
      ...changes,
      ...(changes.description !== undefined
        ? { description: phi.encrypt(changes.description) }
        : {}),
      updated_at: now.toISOString(),
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', baseVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function touchTicket(db: Db, id: number, now: Date): Promise<void> {
  await db
    .updateTable('tickets')
    .set({ updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

export interface AssociatedStaff {
  staff_id: number;
  name: string;
  username: string;
  department: string | null;
}

const associatedStaffQuery = prepared((db, v: { ticketId: number }) =>
  db
    .selectFrom('ticket_associated_staff as tas')
    .innerJoin('staff', 'staff.id', 'tas.staff_id')
    .select(['tas.staff_id', 'staff.name', 'staff.username', 'staff.department'])
    .where('tas.ticket_id', '=', v.ticketId)
    .orderBy('tas.added_at'),
);

export function listAssociatedStaff(db: Db, ticketId: number): Promise<AssociatedStaff[]> {
  return associatedStaffQuery.rows(db, { ticketId });
}

/** Compiled once (src/db/prepared.ts): a create assigned to someone else runs it. */
const addAssociatedQuery = prepared(
  (db, v: { ticketId: number; staffId: number; addedBy: number | null; addedAt: string }) =>
    db
      .insertInto('ticket_associated_staff')
      .values({
        ticket_id: v.ticketId,
        staff_id: v.staffId,
        added_by: v.addedBy,
        added_at: v.addedAt,
      })
      .onConflict((oc) => oc.columns(['ticket_id', 'staff_id']).doNothing()),
);

/** Adds someone to "Staff associated with Ticket"; false when they already were. */
export async function addAssociatedStaff(
  db: Db,
  ticketId: number,
  staffId: number,
  addedBy: number | null,
  now: Date,
): Promise<boolean> {
  const inserted = await addAssociatedQuery.run(db, {
    ticketId,
    staffId,
    addedBy,
    addedAt: now.toISOString(),
  });
  return inserted === 1;
}

export async function removeAssociatedStaff(
  db: Db,
  ticketId: number,
  staffId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('ticket_associated_staff')
    .where('ticket_id', '=', ticketId)
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
