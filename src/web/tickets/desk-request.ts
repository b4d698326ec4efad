import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { agencyTimeZone } from '../../decorators/agency.js';
import { findEscalation, getEscalationDesk } from '../../repositories/escalation.js';
import { alreadySentMessage, NO_DESK_MESSAGE } from '../../tickets/escalation.js';
import { signedIn } from '../signed-in.js';

/** The "Send to <desk>" checkbox of the ticket window and the ticket page. */
export function wantsToSend(body: Record<string, unknown>): boolean {
  return body.send_to_desk === '1';
}

export function mayRequestSend(request: FastifyRequest): boolean {
  return signedIn(request).permissions.has('send_to_desk');
}

/** The checkbox is only shown to champions; a form that sends it anyway is refused. */
export function refuseSending(reply: FastifyReply): FastifyReply {
  return reply.code(403).page('error', {
    title: 'Not allowed',
    message:
      'Only champions can send tickets to the escalation desk: assign the ticket to one of them instead.',
  });
}

/** Why the ticket cannot be sent to the desk now, or null when it can. */
export async function whyNotSendable(
  app: FastifyInstance,
  ticketId: number,
): Promise<string | null> {
  const already = await findEscalation(app.db, ticketId);
  if (already) return alreadySentMessage(already, agencyTimeZone(app));
  return (await getEscalationDesk(app.db)) ? null : NO_DESK_MESSAGE;
}
