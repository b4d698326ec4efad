import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../forms/fields.js';
import {
  claimTicketFormToken,
  findTicketMadeWith,
  issueTicketFormToken,
} from '../../repositories/ticket-form-tokens.js';
import { escalationView, NO_DESK_MESSAGE, sendToDeskIn } from '../../tickets/escalation.js';
import { type OpenedFrom, readOpenedFrom } from '../../tickets/opened-from.js';
import { createTicket } from '../../tickets/service.js';
import type { TitleDecision } from '../../tickets/title-guard.js';
import { readTicketForm, type TicketForm, validateTicket } from '../../tickets/validate.js';
import { replyAfterChange } from '../../web/after-change.js';
import { changeOf } from '../../web/change-context.js';
import { signedIn } from '../../web/signed-in.js';
import { ASSIGNEE_PICK_LIST, buildAssigneePicker } from '../../web/tickets/assignee-picker.js';
import { mayRequestSend, refuseSending, wantsToSend } from '../../web/tickets/desk-request.js';
import { loadFormChoices } from '../../web/tickets/form-choices.js';
import { auditConfirmedTitle, judgeTitle } from '../../web/tickets/title-check.js';
import { replyCreatedInHelpWindow } from '../help/created.js';
import { pickerStep, renderPickListPage } from '../staff-picker/no-script.js';

const EMPTY: TicketForm = {
  title: '',
  due_date: '',
  priority: 'none',
  status: 'new',
  description: '',
  assignee: 'self',
};

/** A double click posts the window twice; the second post answers with the first's ticket. */
class AlreadyMade extends Error {
  constructor(readonly ticketId: number) {
    super('this ticket window already made a ticket');
  }
}

/** The window's one-time token as posted, or null when it is missing or malformed. */
function readFormToken(body: Record<string, unknown>): string | null {
  const token = body.form_token;
  return typeof token === 'string' && /^[\w-]{20,100}$/.test(token) ? token : null;
}

/** An empty ticket window's data, opened from `from` (a hushdesk page or another application's). */
export async function loadNewTicketWindow(
  app: FastifyInstance,
  request: FastifyRequest,
  from: OpenedFrom,
) {
  const choices = await loadFormChoices(app);
  const me = signedIn(request);
  const escalation = await escalationView(app.db, me);
  return {
    title: 'New ticket',
    formToken: await issueTicketFormToken(app.db, me.id, app.now()),
    form: EMPTY,
    errors: {},
    openedFrom: from.path,
    openedFromHost: from.host,
    ...choices,
    // Staff who cannot send to the desk find the champions ready in Assigned To.
    assigneePicker: await buildAssigneePicker(
      app,
      choices.directory,
      EMPTY,
      {},
      null,
      escalation.champions.map((c) => c.id),
    ),
    escalation,
    sendToDesk: false,
    titleDecision: null,
  };
}

/** The ticket window: a dialog over the page with htmx, a page of its own without. */
const create: FastifyPluginAsync = async (app) => {
  app.get('/tickets/new', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const data = await loadNewTicketWindow(app, request, readOpenedFrom(query.from, undefined));
    return reply.page('tickets/new', data, { fragment: 'tickets/_new-dialog' });
  });

  app.post('/tickets', async (request, reply) => {
    const me = signedIn(request);
    const body = request.body as Record<string, unknown>;
    const sendToDesk = wantsToSend(body);
    if (sendToDesk && !mayRequestSend(request)) return refuseSending(reply);
    const form = readTicketForm(body);
    const choices = await loadFormChoices(app);
    const escalation = await escalationView(app.db, me);
    const from = readOpenedFrom(body.opened_from, body.opened_from_host);
    const formToken = readFormToken(body);
    const page = async (
      errors: object,
      step: ReturnType<typeof pickerStep> = null,
      titleDecision: TitleDecision | null = null,
    ) => ({
      title: 'New ticket',
      formToken,
      form,
      errors,
      openedFrom: from.path,
      openedFromHost: from.host,
      ...choices,
      assigneePicker: await buildAssigneePicker(
        app,
        choices.directory,
        form,
        body,
        step,
        escalation.champions.map((c) => c.id),
      ),
      escalation,
      sendToDesk,
      titleDecision,
    });
    // Without JavaScript, Search and Pick list submit this form: answer them, save nothing.
    const step = pickerStep(body, 'assignee');
    if (step === 'pick-list') {
      return renderPickListPage(reply, choices.directory, body, {
        ...ASSIGNEE_PICK_LIST,
        action: '/tickets',
      });
    }
    if (step) {
      return reply.page('tickets/new', await page({}, step), { fragment: 'tickets/_new-form' });
    }
    const made = formToken ? await findTicketMadeWith(app.db, formToken, me.id) : null;
    if (made !== null) return replyCreated(request, reply, { id: made, from, sentTo: null });
    const result = validateTicket(form, {
      priorities: choices.priorities,
      assignable: choices.directory.ids,
      me: me.id,
      today: choices.today,
      isNew: true,
    });
    const desk = escalation.desk;
    const errors: FieldErrors = result.ok ? {} : { ...result.errors };
    // The title guard runs on a title that passed the usual checks; its answer
    // joins the other messages so every problem shows at once.
    const titleDecision = errors.title ? null : await judgeTitle(app, form.title, body);
    if (titleDecision?.kind === 'reject') errors.title = titleDecision.message;
    if (sendToDesk && !desk) errors.send_to_desk = NO_DESK_MESSAGE;
    if (!result.ok || Object.keys(errors).length > 0) {
      return reply.code(422).page('tickets/new', await page(errors, null, titleDecision), {
        fragment: 'tickets/_new-form',
      });
    }
    const change = changeOf(request);
    let id: number;
    try {
      id = await createTicket(app.db, app.phi, {
        ticket: result.value,
        openedFrom: from,
        change,
        andThen: async (trx, ticketId) => {
          if (formToken) {
            const first = await claimTicketFormToken(trx, formToken, me.id, ticketId);
            if (first !== null) throw new AlreadyMade(first);
          }
          await auditConfirmedTitle(trx, ticketId, titleDecision, change);
          if (sendToDesk && desk) await sendToDeskIn(trx, { ticketId, desk, change });
        },
      });
    } catch (error) {
      // The rollback undid the second ticket; answer with the first.
      if (error instanceof AlreadyMade) {
        return replyCreated(request, reply, { id: error.ticketId, from, sentTo: null });
      }
      throw error;
    }
    app.outbox.wake();
    return replyCreated(request, reply, {
      id,
      from,
      sentTo: sendToDesk ? (desk?.name ?? null) : null,
    });
  });
};

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

export default create;
