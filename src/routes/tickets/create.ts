import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sendToDeskIn } from '../../tickets/escalation.js';
import { readOpenedFrom } from '../../tickets/opened-from.js';
import { createTicket } from '../../tickets/service.js';
import { readTicketForm } from '../../tickets/validate.js';
import { replyAfterChange } from '../../web/after-change.js';
import { changeOf } from '../../web/change-context.js';
import { replyCreatedInHelpWindow } from '../../web/help/created.js';
import { pickerStep, renderPickListPage } from '../../web/staff-picker/no-script.js';
import { ASSIGNEE_PICK_LIST } from '../../web/tickets/assignee-picker.js';
import { mayRequestSend, refuseSending, wantsToSend } from '../../web/tickets/desk-request.js';
import {
  buildNewTicketWindow,
  checkNewTicket,
  loadNewTicketContext,
  loadNewTicketWindow,
} from '../../web/tickets/new-ticket-window.js';
import { auditConfirmedTitle } from '../../web/tickets/title-check.js';

/** Close the dialog and say what happened where the person is. */
function replyCreatedInDialog(
  request: FastifyRequest,
  reply: FastifyReply,
  id: number,
  sentTo: string | null,
) {
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${id}?created=1`,
    fragment: () =>
      reply
        .header('hx-retarget', '#flash')
        .header('hx-reswap', 'innerHTML')
        .header('hx-trigger', 'hd:ticket-created')
        .page('tickets/_created', { ticketId: id, sentTo }, { fragment: 'tickets/_created' }),
  });
}

/** The ticket window: a dialog over the page with htmx, a page of its own without. */
const create: FastifyPluginAsync = async (app) => {
  app.get('/tickets/new', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const data = await loadNewTicketWindow(app, request, readOpenedFrom(query.from, undefined));
    return reply.page('tickets/new', data, { fragment: 'tickets/_new-dialog' });
  });

  app.post('/tickets', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const sendToDesk = wantsToSend(body);
    if (sendToDesk && !mayRequestSend(request)) return refuseSending(reply);
    const context = await loadNewTicketContext(app, request, {
      form: readTicketForm(body),
      body,
      from: readOpenedFrom(body.opened_from, body.opened_from_host),
      sendToDesk,
    });
    const form = { fragment: 'tickets/_new-form' };
    // Without JavaScript, Search and Pick list submit this form: answer them, save nothing.
    const step = pickerStep(body, 'assignee');
    if (step === 'pick-list') {
      return renderPickListPage(reply, context.choices.directory, body, {
        ...ASSIGNEE_PICK_LIST,
        action: '/tickets',
      });
    }
    if (step) {
      return reply.page('tickets/new', await buildNewTicketWindow(app, context, { step }), form);
    }
    const check = await checkNewTicket(app, request, context);
    if (!check.ok) {
      const data = await buildNewTicketWindow(app, context, check);
      return reply.code(422).page('tickets/new', data, form);
    }
    const { desk } = context.escalation;
    const change = changeOf(request);
    const id = await createTicket(app.db, app.phi, {
      ticket: check.ticket,
      openedFrom: context.from,
      change,
      andThen: async (trx, ticketId) => {
        await auditConfirmedTitle(trx, ticketId, check.titleDecision, change);
        if (sendToDesk && desk) await sendToDeskIn(trx, { ticketId, desk, change });
      },
    });
    app.outbox.wake();
    // The Help window of another application says so in its own small window.
    if (context.from.host) return replyCreatedInHelpWindow(request, reply, id);
    return replyCreatedInDialog(request, reply, id, sendToDesk ? (desk?.name ?? null) : null);
  });
};

export default create;
