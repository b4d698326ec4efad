import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { addAssociated } from '../../tickets/associated.js';
import { linkTickets, unlinkTickets } from '../../tickets/links.js';
import { mergeTickets } from '../../tickets/merge.js';
import { replyAfterChange } from '../../web/after-change.js';
import { changeOf } from '../../web/change-context.js';
import { viewerOf } from '../../web/signed-in.js';
import type { RelatedFormState } from '../../web/tickets/related-view.js';
import { renderTicketPage } from '../../web/tickets/render-ticket-page.js';
import { reloadTicket, ticketOf } from '../../web/visible-ticket.js';
import { idParam } from '../params.js';

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 500) : '');

/** After a link or merge: the ticket page again (htmx) or a 303 to it, saying what happened. */
function answerChanged(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  { query, flash }: { query: string; flash: string },
) {
  app.outbox.wake();
  const id = ticketOf(request).id;
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${id}?${query}=1`,
    fragment: async () =>
      renderTicketPage(app, request, reply, await reloadTicket(app, request), { flash }),
  });
}

async function refuse(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  related: RelatedFormState,
) {
  reply.code(422);
  return renderTicketPage(app, request, reply, ticketOf(request), { related });
}

/** Links between tickets, merging duplicates, and joining a ticket found while typing a title. */
const related: FastifyPluginAsync = async (app) => {
  app.post('/tickets/:id/links', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const kind = body.kind === 'waiting_on' ? 'waiting_on' : 'related';
    const other = text(body.other);
    const result = await linkTickets(app.db, {
      ...{ ticketId: ticketOf(request).id, otherText: other, kind },
      ...{ viewer: viewerOf(request), change: changeOf(request) },
    });
    if (!result.ok) {
      return refuse(app, request, reply, {
        linkOther: other,
        linkKind: kind,
        linkError: result.message,
      });
    }
    return answerChanged(app, request, reply, { query: 'linked', flash: 'Linked.' });
  });

  app.post('/tickets/:id/links/:linkId/remove', async (request, reply) => {
    const linkId = idParam(request, 'linkId');
    const change = changeOf(request);
    const ticketId = ticketOf(request).id;
    if (linkId === null || !(await unlinkTickets(app.db, { ticketId, linkId, change }))) {
      return reply.callNotFound();
    }
    return answerChanged(app, request, reply, { query: 'linked', flash: 'Link removed.' });
  });

  app.post(
    '/tickets/:id/merge',
    { config: { permission: 'merge_tickets' } },
    async (request, reply) => {
      const duplicatesText = text((request.body as Record<string, unknown>).duplicates);
      const result = await mergeTickets(app.db, {
        ...{ survivor: ticketOf(request), duplicatesText },
        ...{ viewer: viewerOf(request), change: changeOf(request) },
      });
      if (!result.ok) {
        return refuse(app, request, reply, {
          mergeText: duplicatesText,
          mergeError: result.message,
        });
      }
      const numbers = result.merged.map((n) => `#${n}`).join(', ');
      return answerChanged(app, request, reply, {
        query: 'merged',
        flash: `Merged ${numbers} into this ticket.`,
      });
    },
  );

  // "Is it one of these? Add yourself to it instead": from the ticket window, no ticket made.
  app.post('/tickets/:id/join', async (request, reply) => {
    const change = changeOf(request);
    const ticket = ticketOf(request);
    await addAssociated(app.db, { ticketId: ticket.id, person: change.actor, change });
    return replyAfterChange(request, reply, {
      redirect: `/tickets/${ticket.id}?joined=1`,
      // Close the window and say where the person now follows the work.
      fragment: () =>
        reply
          .header('hx-retarget', '#flash')
          .header('hx-reswap', 'innerHTML')
          .header('hx-trigger', 'hd:ticket-created')
          .page('tickets/_joined', { ticket }, { fragment: 'tickets/_joined' }),
    });
  });
};

export default related;
