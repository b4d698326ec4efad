import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findVisibleTicket, type TicketDetail } from '../repositories/tickets.js';
import { viewerOf } from './signed-in.js';

/** The ticket the scoped hook loaded; only routes under /tickets/:id have one. */
export function ticketOf(request: FastifyRequest): TicketDetail {
  if (!request.ticket) throw new Error('route registered outside the /tickets/:id scope');
  return request.ticket;
}

/**
 * The ticket as it stands after a change, for the fragment that answers it;
 * the one loaded before the change when the person may no longer see it.
 */
export async function reloadTicket(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<TicketDetail> {
  const ticket = ticketOf(request);
  return (await findVisibleTicket(app.db, app.phi, ticket.id, viewerOf(request))) ?? ticket;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the /tickets/:id hook: the ticket named in the path, visible to the person. */
    ticket: TicketDetail | null;
  }
}
