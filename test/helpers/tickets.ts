import type { Db } from '../../src/db/index.js';
import type { TicketStatus } from '../../src/db/schema.js';

/**
 * Tickets written straight into the tables, for tests that need a ticket but
 * not the ticket screens.
 */
export async function insertTicket(
  db: Db,
  ticket: {
    title: string;
    description?: string | null;
    createdBy: number;
    assigneeId?: number | null;
    associated?: number[];
    status?: TicketStatus;
    dueDate?: string | null;
  },
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const priority = await db
    .selectFrom('priorities')
    .select('id')
    .where('key', '=', 'none')
    .executeTakeFirstOrThrow();
  const { id } = await db
    .insertInto('tickets')
    .values({
      title: ticket.title,
      description: ticket.description ?? null,
      priority_id: priority.id,
      status: ticket.status ?? 'new',
      due_date: ticket.dueDate ?? null,
      assignee_id: ticket.assigneeId ?? null,
      created_by: ticket.createdBy,
      opened_from: null,
      completed_date: null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const staffId of ticket.associated ?? []) {
    await db
      .insertInto('ticket_associated_staff')
      .values({ ticket_id: id, staff_id: staffId, added_by: ticket.createdBy, added_at: at })
      .execute();
  }
  return id;
}

export async function insertNote(
  db: Db,
  note: { ticketId: number; staffId: number; body: string },
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const { id } = await db
    .insertInto('ticket_notes')
    .values({
      ticket_id: note.ticketId,
      staff_id: note.staffId,
      body: note.body,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
