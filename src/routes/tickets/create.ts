import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { findTicketMadeWith } from '../../repositories/ticket-form-tokens.js';
import { type OpenedFrom, readOpenedFrom } from '../../tickets/opened-from.js';
import { readTicketForm } from '../../tickets/validate.js';
import { replyAfterChange } from '../../web/after-change.js';
import { replyCreatedInHelpWindow } from '../../web/help/created.js';
import { signedIn } from '../../web/signed-in.js';
import { pickerStep, renderPickListPage } from '../../web/staff-picker/no-script.js';
import { ASSIGNEE_PICK_LIST } from '../../web/tickets/assignee-picker.js';
import { mayRequestSend, refuseSending, wantsToSend } from '../../web/tickets/desk-request.js';
import {
  buildNewTicketWindow,
  checkNewTicket,
  loadNewTicketContext,
  loadNewTicketWindow,
} from '../../web/tickets/new-ticket-window.js';
import { saveNewTicket } from '../../web/tickets/save-new-ticket.js';
import { ACCEPTS_FILES } from '../../web/tickets/uploads.js';

/** The window's one-time token as posted, or null when it is missing or malformed. */
function readFormToken(body: Record<string, unknown>): string | null {
  const token = body.form_token;
  return typeof token === 'string' && /^[\w-]{20,100}$/.test(token) ? token : null;
}

/** "Ticket #N created", where the person saved it: the Help window, the dialog or a page. */
function replyCreated(
  request: FastifyRequest,
  reply: FastifyReply,
  { id, from, sentTo }: { id: number; from: OpenedFrom; sentTo: string | null },
) {
  // The Help window of another application says so in its own small window.
  if (from.host) return replyCreatedInHelpWindow(request, reply, id);
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${id}?created=1`,
    // Close the dialog and say what happened where the person is.
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

  app.post('/tickets', ACCEPTS_FILES, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const sendToDesk = wantsToSend(body);
    if (sendToDesk && !mayRequestSend(request)) return refuseSending(reply);
    const context = await loadNewTicketContext(app, request, {
      form: readTicketForm(body),
      body,
      from: readOpenedFrom(body.opened_from, body.opened_from_host),
      sendToDesk,
      formToken: readFormToken(body),
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
    const { formToken, from } = context;
    const me = signedIn(request);
    const made = formToken ? await findTicketMadeWith(app.db, formToken, me.id) : null;
    if (made !== null) return replyCreated(request, reply, { id: made, from, sentTo: null });
    const check = await checkNewTicket(app, request, context);
    if (!check.ok) {
      const data = await buildNewTicketWindow(app, context, check);
      return reply.code(422).page('tickets/new', data, form);
    }
    const saved = await saveNewTicket(app, request, context, check);
    if (!saved.first) return replyCreated(request, reply, { id: saved.id, from, sentTo: null });
    app.outbox.wake();
    const { desk } = context.escalation;
    return replyCreated(request, reply, {
      id: saved.id,
      from,
      sentTo: context.sendToDesk ? (desk?.name ?? null) : null,
    });
  });
};

export default create;
