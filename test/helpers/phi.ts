import type { FastifyInstance } from 'fastify';

/**
 * Stores a ticket with a description and a note the way the ticket repository
 * must: through `app.phi.encrypt`. Until the ticket screens land, the PHI tests
 * write rows with this.
 */
export async function storeTicketWithPhi(
  app: FastifyInstance,
  values: { staffId: number; title?: string; description: string; note?: string },
): Promise<{ ticketId: number; noteId: number | null }> {
  const at = app.now().toISOString();
  const priority = await app.db
    .selectFrom('priorities')
    .select('id')
    .where('key', '=', 'none')
    .executeTakeFirstOrThrow();
  const ticket = await app.db
    .insertInto('tickets')
    .values({
      title: values.title ?? 'Printer on the second floor',
      description: app.phi.encrypt(values.description),
      priority_id: priority.id,
      status: 'new',
      due_date: null,
      completed_date: null,
      assignee_id: values.staffId,
      created_by: values.staffId,
      opened_from: null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (values.note === undefined) return { ticketId: ticket.id, noteId: null };
  const note = await app.db
    .insertInto('ticket_notes')
    .values({
      ticket_id: ticket.id,
      staff_id: values.staffId,
      body: app.phi.encrypt(values.note),
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ticketId: ticket.id, noteId: note.id };
}
