import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { agencyTimeZone } from '../../decorators/agency.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import { findEscalation } from '../../repositories/escalation.js';
import { listAssociatedStaff, type TicketDetail } from '../../repositories/tickets.js';
import { lastEventId, listTimeline, type TimelineEntry } from '../../repositories/timeline.js';
import { isExternalSupport } from '../../staff/external.js';
import type { PickerState } from '../../staff/picker.js';
import type { FieldErrors } from '../../staff/validate.js';
import {
  alreadySentMessage,
  escalationView,
  NO_DESK_MESSAGE,
  type SendOutcome,
  sendTicketToDesk,
} from '../../tickets/escalation.js';
import { isStatus, NOTE_EDIT_MINUTES, STATUSES } from '../../tickets/model.js';
import { saveTicket } from '../../tickets/service.js';
import type { TitleDecision } from '../../tickets/title-guard.js';
import { readTicketForm, type TicketForm, validateTicket } from '../../tickets/validate.js';
import { replyAfterChange } from '../../web/after-change.js';
import { reloadTicket, ticketOf } from '../../web/visible-ticket.js';
import { pickerStep, renderPickListPage } from '../staff-picker/no-script.js';
import { ASSIGNEE_PICK_LIST, assigneePicker } from './assignee.js';
import { type AssociatedForm, associatedForm } from './associated-form.js';
import { mailContext, mayRequestSend, refuseSending, senderOf, wantsToSend } from './desk.js';
import { formChoices, rowFlags, signedIn, todayOf } from './shared.js';
import { judgeTitle, titleConfirmedAudit } from './title.js';

export function formFromTicket(ticket: TicketDetail, me: number): TicketForm {
  return {
    title: ticket.title,
    due_date: ticket.due_date ?? '',
    priority: ticket.priority_key,
    status: ticket.status,
    description: ticket.description ?? '',
    assignee: ticket.assignee_id === me ? 'self' : String(ticket.assignee_id ?? ''),
  };
}

export interface TicketPageState {
  form?: TicketForm;
  errors?: FieldErrors;
  conflict?: TimelineEntry[];
  flash?: string;
  base?: { version: number; seenEventId: number };
  noteText?: string;
  noteError?: string;
  /** The "Send to <desk>" checkbox as the person left it. */
  sendToDesk?: boolean;
  /** Why the ticket was not sent (already sent, or no desk set up). */
  escalationMessage?: string;
  assigneePicker?: PickerState;
  associatedForm?: AssociatedForm;
  /** The title guard's answer on a changed title, for the message and the confirm box. */
  titleDecision?: TitleDecision | null;
}

/** Renders the ticket page (or its #ticket fragment), auditing the read of its PHI. */
export async function renderTicket(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ticket: TicketDetail,
  state: TicketPageState = {},
) {
  const me = signedIn(request);
  const [choices, associated, timeline, seenEventId, escalation, escalated] = await Promise.all([
    formChoices(app),
    listAssociatedStaff(app.db, ticket.id),
    listTimeline(app.db, app.phi, ticket.id),
    lastEventId(app.db, ticket.id),
    escalationView(app.db, me),
    findEscalation(app.db, ticket.id),
  ]);
  // Every view of a description or notes is audited (HIPAA 164.312(b)).
  await recordAudit(
    app.db,
    { actor: staffActor(me), action: 'ticket-viewed', ticketId: ticket.id, ip: request.ip },
    app.now(),
  );
  const now = app.now();
  const form = state.form ?? formFromTicket(ticket, me.id);
  return reply.page(
    'tickets/show',
    {
      title: `#${ticket.id} ${ticket.title}`,
      ticket,
      form,
      errors: state.errors ?? {},
      conflict: state.conflict ?? null,
      flash: state.flash ?? null,
      base: state.base ?? { version: ticket.version, seenEventId },
      associated,
      timeline,
      flags: rowFlags(ticket, choices.today, now),
      noteText: state.noteText ?? '',
      noteError: state.noteError ?? null,
      editableUntil: now.getTime() - NOTE_EDIT_MINUTES * 60_000,
      statuses: STATUSES,
      ...choices,
      escalation,
      escalated: escalated ?? null,
      sendToDesk: state.sendToDesk ?? false,
      titleDecision: state.titleDecision ?? null,
      escalationMessage: state.escalationMessage ?? null,
      // External support changes the status and adds notes; nothing else.
      statusOnly: isExternalSupport(me),
      assigneePicker: state.assigneePicker ?? (await assigneePicker(app, choices.directory, form)),
      associatedForm: state.associatedForm ?? (await associatedForm(app, choices.directory)),
    },
    { fragment: 'tickets/_ticket' },
  );
}

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
    return renderTicket(app, request, reply, ticket, { flash });
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
      return renderTicket(app, request, reply, ticket, {
        form,
        base,
        escalationMessage: alreadySentMessage(already, agencyTimeZone(app)),
      });
    }
    const choices = await formChoices(app);
    // Without JavaScript, Search and Pick list submit this form: answer them, save nothing.
    const step = pickerStep(body, 'assignee');
    if (step === 'pick-list') {
      return renderPickListPage(reply, choices.directory, body, {
        ...ASSIGNEE_PICK_LIST,
        action: `/tickets/${ticket.id}`,
      });
    }
    if (step) {
      const picker = await assigneePicker(app, choices.directory, form, body, step);
      return renderTicket(app, request, reply, ticket, { form, base, assigneePicker: picker });
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
      return renderTicket(app, request, reply, ticket, {
        form,
        errors,
        base,
        sendToDesk,
        assigneePicker: await assigneePicker(app, choices.directory, form, body),
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
      titleConfirmedAudit(app, request, titleDecision),
    );
    if (saved.kind === 'saved') app.outbox.wake();
    if (saved.kind === 'conflict') {
      const fresh = await reloadTicket(app, request);
      reply.code(409);
      // The person's own input stays in the form; the next Save applies it knowingly.
      return renderTicket(app, request, reply, fresh, {
        form,
        conflict: saved.changes,
        sendToDesk,
        titleDecision,
      });
    }
    const sent = sendToDesk
      ? await sendTicketToDesk(app.db, ticket.id, senderOf(request), mailContext(app))
      : null;
    const notSent = sent ? notSentMessage(sent, agencyTimeZone(app)) : null;
    const fragment = async () =>
      renderTicket(app, request, reply, await reloadTicket(app, request), {
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

/** Why a ticket was not sent, or null when it was. */
export function notSentMessage(outcome: SendOutcome, timeZone: string): string | null {
  if (outcome.kind === 'already-sent') return alreadySentMessage(outcome.escalation, timeZone);
  if (outcome.kind === 'no-desk') return NO_DESK_MESSAGE;
  return null;
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
    return renderTicket(app, request, reply, ticket, {
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
    return renderTicket(app, request, reply, fresh, { form, conflict: saved.changes });
  }
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${ticket.id}?saved=1`,
    fragment: () =>
      renderTicket(app, request, reply, fresh, { flash: savedFlash(saved.kind === 'saved', null) }),
  });
}
