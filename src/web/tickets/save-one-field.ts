import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TicketDetail } from '../../repositories/tickets.js';
import { type SaveResult, saveTicket, type TicketEdit } from '../../tickets/service.js';
import { todayOf } from '../agency-today.js';
import { changeOf } from '../change-context.js';

/**
 * Saves one field changed outside the ticket form (a list row's status, assigning
 * a champion): refused as a conflict when the ticket moved past `version`, and
 * the outbox woken when a mail may have been queued.
 */
export async function saveOneField(
  app: FastifyInstance,
  request: FastifyRequest,
  ticket: TicketDetail,
  edit: TicketEdit,
  version: number,
): Promise<SaveResult> {
  const saved = await saveTicket(app.db, app.phi, {
    current: ticket,
    edit,
    base: { version, seenEventId: Number.MAX_SAFE_INTEGER },
    change: changeOf(request),
    today: todayOf(app),
  });
  if (saved.kind === 'saved') app.outbox.wake();
  return saved;
}
