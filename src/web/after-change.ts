import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHtmx } from '../decorators/render.js';

/**
 * The answer to a form that changed something: htmx swaps in the fragment it
 * asked for; the same form posted without JavaScript gets a 303 to the page
 * that shows the result, so a reload never posts it twice.
 */
export function replyAfterChange(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: { redirect: string; fragment: () => Promise<FastifyReply> | FastifyReply },
): Promise<FastifyReply> | FastifyReply {
  if (isHtmx(request)) return answer.fragment();
  return reply.redirect(answer.redirect, 303);
}
