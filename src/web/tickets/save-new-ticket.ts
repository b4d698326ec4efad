import type { FastifyInstance, FastifyRequest } from 'fastify';
import { claimTicketFormToken } from '../../repositories/ticket-form-tokens.js';
import { sendToDeskIn } from '../../tickets/escalation.js';
import { createTicket } from '../../tickets/service.js';
import { changeOf } from '../change-context.js';
import { signedIn } from '../signed-in.js';
import type { NewTicketCheck, NewTicketContext } from './new-ticket-window.js';
import { auditConfirmedTitle } from './title-check.js';
import { attachUploadsIn } from './uploads.js';

/** A double click posts the window twice; the second post answers with the first's ticket. */
class AlreadyMade extends Error {
  constructor(readonly ticketId: number) {
    super('this ticket window already made a ticket');
  }
}

/**
 * Saves a checked new ticket, its confirmed title's audit row and, when asked,
 * its sending to the desk, in one transaction that also claims the window's
 * one-time token. `first` is false when another post of the same window won:
 * this one was rolled back and `id` is the ticket the first one made.
 */
export async function saveNewTicket(
  app: FastifyInstance,
  request: FastifyRequest,
  context: NewTicketContext,
  check: Extract<NewTicketCheck, { ok: true }>,
): Promise<{ id: number; first: boolean }> {
  const { formToken, from, sendToDesk } = context;
  const { desk } = context.escalation;
  const me = signedIn(request);
  const change = changeOf(request);
  try {
    const id = await createTicket(app.db, app.phi, {
      ticket: check.ticket,
      openedFrom: from,
      change,
      andThen: async (trx, ticketId) => {
        if (formToken) {
          const first = await claimTicketFormToken(trx, formToken, me.id, ticketId);
          if (first !== null) throw new AlreadyMade(first);
        }
        await auditConfirmedTitle(trx, ticketId, check.titleDecision, change);
        await attachUploadsIn(trx, request, { ticketId, noteId: null });
        if (sendToDesk && desk) await sendToDeskIn(trx, { ticketId, desk, change });
      },
    });
    return { id, first: true };
  } catch (error) {
    if (error instanceof AlreadyMade) return { id: error.ticketId, first: false };
    throw error;
  }
}
