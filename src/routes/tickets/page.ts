import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { agencyTimeZone } from '../../decorators/agency.js';
import { findEscalation } from '../../repositories/escalation.js';
import type { TicketDetail } from '../../repositories/tickets.js';
import { isExternalSupport } from '../../staff/external.js';
import type { FieldErrors } from '../../staff/validate.js';
import {
  alreadySentMessage,
  describeNotSent,
  type SendOutcome,
  sendTicketToDesk,
} from '../../tickets/escalation.js';
import { isStatus } from '../../tickets/model.js';
import { saveTicket } from '../../tickets/service.js';
import { readTicketForm, validateTicket } from '../../tickets/validate.js';
import { replyAfterChange } from '../../web/after-change.js';
import { todayOf } from '../../web/agency-today.js';
import { signedIn } from '../../web/signed-in.js';
import { ASSIGNEE_PICK_LIST, buildAssigneePicker } from '../../web/tickets/assignee-picker.js';
import {
  mailContext,
  mayRequestSend,
  refuseSending,
  senderOf,
  wantsToSend,
} from '../../web/tickets/desk-request.js';
import { loadFormChoices } from '../../web/tickets/form-choices.js';
import { formFromTicket, renderTicketPage } from '../../web/tickets/render-ticket-page.js';
import { auditConfirmedTitle, judgeTitle } from '../../web/tickets/title-check.js';
import { reloadTicket, ticketOf } from '../../web/visible-ticket.js';
import { pickerStep, renderPickListPage } from '../staff-picker/no-script.js';

function readBase(body: Record<string, unknown>) {
  const int = (v: unknown) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : 0);
  return { version: int(body.version), seenEventId: int(body.seen_event) };
}

const page: FastifyPluginAsync = async (app) => {
  app.get('/tickets/:id', async (request, reply) => {
    const ticket = ticketOf(request);
    const query = request.query as Record<string, unknown>;
    const flash =
      query.created === '1'
        ? `Ticket #${ticket.id} created.`
        : query.saved === '1'
          ? 'Saved.'
          : query.noted === '1'
            ? 'Note added.'
            : query.sent === '1'
              ? 'Sent to the escalation desk.'
              : query.associated === '1'
                ? 'Associated staff updated.'
                : undefined;
    return renderTicketPage(app, request, reply, ticket, { flash });
  });

  app.post('/tickets/:id', async (request, reply) => {
    const me = signedIn(request);
    const ticket = ticketOf(request);
    const body = request.body as Record<string, unknown>;
    if (isExternalSupport(me)) return saveStatusOnly(app, request, reply, ticket, body);
    const form = readTicketForm(body);
    const base = readBase(body);
    const sendToDesk = wantsToSend(body);
    if (sendToDesk && !mayRequestSend(request)) return refuseSending(reply);
    const already = sendToDesk ? await findEscalation(app.db, ticket.id) : undefined;
    if (already) {
      // Sent meanwhile (from another tab, or by someone else): nothing is saved,
      // the person's input stays in the form and the next Save applies it.
      reply.code(409);
      return renderTicketPage(app, request, reply, ticket, {
        form,
        base,
        escalationMessage: alreadySentMessage(already, agencyTimeZone(app)),
      });
    }
    const choices = await loadFormChoices(app);
    // Without JavaScript, Search and Pick list submit this form: answer them, save nothing.
    const step = pickerStep(body, 'assignee');
    if (step === 'pick-list') {
      return renderPickListPage(reply, choices.directory, body, {
        ...ASSIGNEE_PICK_LIST,
        action: `/tickets/${ticket.id}`,
      });
    }
    if (step) {
      const picker = await buildAssigneePicker(app, choices.directory, form, body, step);
      return renderTicketPage(app, request, reply, ticket, { form, base, assigneePicker: picker });
    }
    const result = validateTicket(form, {
      priorities: choices.priorities,
      assignable: choices.directory.ids,
      me: me.id,
      today: choices.today,
      isNew: false,
      currentDueDate: ticket.due_date,
      currentAssigneeId: ticket.assignee_id,
    });
    const errors: FieldErrors = result.ok ? {} : { ...result.errors };
    // Only a changed title is judged: one saved before the guard, or confirmed
    // then, is not asked about again on every later save.
    const titleDecision =
      errors.title || form.title === ticket.title ? null : await judgeTitle(app, form.title, body);
    if (titleDecision?.kind === 'reject') errors.title = titleDecision.message;
    if (!result.ok || Object.keys(errors).length > 0) {
      reply.code(422);
      return renderTicketPage(app, request, reply, ticket, {
        form,
        errors,
        base,
        sendToDesk,
        assigneePicker: await buildAssigneePicker(app, choices.directory, form, body),
        titleDecision,
      });
    }
    const saved = await saveTicket(
      app.db,
      app.phi,
      ticket,
      result.value,
      base,
      { ...me, ip: request.ip },
      app.now(),
      todayOf(app),
      app.config.baseUrl,
      auditConfirmedTitle(app, request, titleDecision),
    );
    if (saved.kind === 'saved') app.outbox.wake();
    if (saved.kind === 'conflict') {
      const fresh = await reloadTicket(app, request);
      reply.code(409);
      // The person's own input stays in the form; the next Save applies it knowingly.
      return renderTicketPage(app, request, reply, fresh, {
        form,
        conflict: saved.changes,
        sendToDesk,
        titleDecision,
      });
    }
    const sent = sendToDesk
      ? await sendTicketToDesk(app.db, ticket.id, senderOf(request), mailContext(app))
      : null;
    const notSent = sent ? describeNotSent(sent, agencyTimeZone(app)) : null;
    const fragment = async () =>
      renderTicketPage(app, request, reply, await reloadTicket(app, request), {
        flash: savedFlash(saved.kind === 'saved', sent),
        ...(notSent ? { escalationMessage: notSent } : {}),
      });
    // Saved but not sent: the page says why, with or without JavaScript.
    if (notSent) {
      reply.code(409);
      return fragment();
    }
    return replyAfterChange(request, reply, {
      redirect: `/tickets/${ticket.id}?${sent ? 'sent' : 'saved'}=1`,
      fragment,
    });
  });
};

export default page;

function savedFlash(changed: boolean, sent: SendOutcome | null): string {
  if (sent?.kind === 'sent')
    return changed ? `Saved and sent to ${sent.desk.name}.` : `Sent to ${sent.desk.name}.`;
  return changed ? 'Saved.' : 'Nothing to save: no field changed.';
}

const OTHER_FIELDS = ['title', 'due_date', 'priority', 'description', 'assignee', 'send_to_desk'];

/**
 * External support's Save: the status, and nothing else. A form carrying any
 * other field is refused outright rather than half applied.
 */
async function saveStatusOnly(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ticket: TicketDetail,
  body: Record<string, unknown>,
) {
  const me = signedIn(request);
  if (OTHER_FIELDS.some((field) => field in body)) {
    return reply.code(403).page('error', {
      title: 'Not allowed',
      message: 'External support can change a ticket’s status and add notes; nothing else.',
    });
  }
  const base = readBase(body);
  const form = { ...formFromTicket(ticket, me.id), status: String(body.status ?? '') };
  if (!isStatus(body.status)) {
    reply.code(422);
    return renderTicketPage(app, request, reply, ticket, {
      form,
      errors: { status: 'Choose a status from the list.' },
      base,
    });
  }
  const saved = await saveTicket(
    app.db,
    app.phi,
    ticket,
    { status: body.status },
    base,
    { ...me, ip: request.ip },
    app.now(),
    todayOf(app),
    app.config.baseUrl,
  );
  if (saved.kind === 'saved') app.outbox.wake();
  const fresh = await reloadTicket(app, request);
  if (saved.kind === 'conflict') {
    reply.code(409);
    return renderTicketPage(app, request, reply, fresh, { form, conflict: saved.changes });
  }
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${ticket.id}?saved=1`,
    fragment: () =>
      renderTicketPage(app, request, reply, fresh, {
        flash: savedFlash(saved.kind === 'saved', null),
      }),
  });
}
