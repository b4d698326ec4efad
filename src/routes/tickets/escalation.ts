import type { FastifyPluginAsync } from 'fastify';
import { agencyTimeZone } from '../../decorators/agency.js';
import { getEscalationDesk } from '../../repositories/escalation.js';
import { listChampions } from '../../repositories/roles.js';
import { describeNotSent, sendTicketToDesk } from '../../tickets/escalation.js';
import { replyAfterChange } from '../../web/after-change.js';
import { changeOf } from '../../web/change-context.js';
import { renderTicketPage } from '../../web/tickets/render-ticket-page.js';
import { saveOneField } from '../../web/tickets/save-one-field.js';
import { reloadTicket, ticketOf } from '../../web/visible-ticket.js';
import { versionField } from '../params.js';

/**
 * Sending a ticket to the escalation desk (champions), and the way everyone else
 * gets it there: assigning it to a champion.
 */
const escalation: FastifyPluginAsync = async (app) => {
  app.post(
    '/tickets/:id/escalate',
    { config: { permission: 'send_to_desk' } },
    async (request, reply) => {
      const ticket = ticketOf(request);
      const outcome = await sendTicketToDesk(app.db, {
        ticketId: ticket.id,
        change: changeOf(request),
      });
      const message = describeNotSent(outcome, agencyTimeZone(app));
      if (message) {
        reply.code(409);
        return renderTicketPage(app, request, reply, ticket, { escalationMessage: message });
      }
      const desk = outcome.kind === 'sent' ? outcome.desk.name : 'the escalation desk';
      return replyAfterChange(request, reply, {
        redirect: `/tickets/${ticket.id}?sent=1`,
        fragment: async () =>
          renderTicketPage(app, request, reply, await reloadTicket(app, request), {
            flash: `Sent to ${desk}.`,
          }),
      });
    },
  );

  app.post('/tickets/:id/assign-champion', async (request, reply) => {
    const ticket = ticketOf(request);
    const body = request.body as Record<string, unknown>;
    const championId = typeof body.champion === 'string' ? Number(body.champion) : Number.NaN;
    const champion = (await listChampions(app.db)).find((c) => c.id === championId);
    if (!champion) {
      reply.code(422);
      return renderTicketPage(app, request, reply, ticket, {
        escalationMessage: 'Choose one of the champions listed.',
      });
    }
    const saved = await saveOneField(
      app,
      request,
      ticket,
      { assigneeId: champion.id },
      versionField(body.version),
    );
    const fresh = await reloadTicket(app, request);
    if (saved.kind === 'conflict') {
      reply.code(409);
      return renderTicketPage(app, request, reply, fresh, {
        escalationMessage:
          'Not assigned: someone changed this ticket meanwhile. Look it over, then try again.',
      });
    }
    return replyAfterChange(request, reply, {
      redirect: `/tickets/${ticket.id}?saved=1`,
      fragment: async () => {
        const desk = await getEscalationDesk(app.db);
        const then = desk ? `; they can send it to ${desk.name} if they cannot solve it` : '';
        return renderTicketPage(app, request, reply, fresh, {
          flash: `Assigned to ${champion.name}${then}.`,
        });
      },
    });
  });
};

export default escalation;
