import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHtmx } from '../../decorators/render.js';

export const HELP_LAYOUT = 'help/layout';

export function createdPath(ticketId: number): string {
  return `/help/tickets/${ticketId}/created`;
}

/**
 * A ticket saved in the Help window of another application: the window moves
 * to its own "Ticket #N created" page (a whole page, so an htmx save redirects).
 */
export function replyCreatedInHelpWindow(
  request: FastifyRequest,
  reply: FastifyReply,
  ticketId: number,
): FastifyReply {
  const target = createdPath(ticketId);
  if (isHtmx(request)) return reply.header('hx-redirect', target).code(204).send();
  return reply.redirect(target, 303);
}
