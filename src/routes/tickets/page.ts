import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import {
  findVisibleTicket,
  listAssociatedStaff,
  type TicketDetail,
} from '../../repositories/tickets.js';
import { lastEventId, listTimeline, type TimelineEntry } from '../../repositories/timeline.js';
import type { PickerState } from '../../staff/picker.js';
import type { FieldErrors } from '../../staff/validate.js';
import { NOTE_EDIT_MINUTES, STATUSES } from '../../tickets/model.js';
import { saveTicket } from '../../tickets/service.js';
import { readTicketForm, type TicketForm, validateTicket } from '../../tickets/validate.js';
import { pickerStep, renderPickListPage } from '../staff-picker/no-script.js';
import { ASSIGNEE_PICK_LIST, assigneePicker } from './assignee.js';
import { type AssociatedForm, associatedForm } from './associated-form.js';
import { formChoices, rowFlags, signedIn, ticketNumber, todayOf, viewerOf } from './shared.js';

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
  assigneePicker?: PickerState;
  associatedForm?: AssociatedForm;
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
  const [choices, associated, timeline, seenEventId] = await Promise.all([
    formChoices(app),
    listAssociatedStaff(app.db, ticket.id),
    listTimeline(app.db, ticket.id),
    lastEventId(app.db, ticket.id),
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
    const id = ticketNumber(request);
    const ticket = id === null ? undefined : await findVisibleTicket(app.db, id, viewerOf(request));
    if (!ticket) return reply.callNotFound();
    const query = request.query as Record<string, unknown>;
    const flash =
      query.created === '1'
        ? `Ticket #${ticket.id} created.`
        : query.saved === '1'
          ? 'Saved.'
          : query.noted === '1'
            ? 'Note added.'
            : query.associated === '1'
              ? 'Associated staff updated.'
              : undefined;
    return renderTicket(app, request, reply, ticket, { flash });
  });

  app.post('/tickets/:id', async (request, reply) => {
    const me = signedIn(request);
    const id = ticketNumber(request);
    const ticket = id === null ? undefined : await findVisibleTicket(app.db, id, viewerOf(request));
    if (!ticket) return reply.callNotFound();
    const body = request.body as Record<string, unknown>;
    const form = readTicketForm(body);
    const base = readBase(body);
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
    if (!result.ok) {
      reply.code(422);
      return renderTicket(app, request, reply, ticket, {
        form,
        errors: result.errors,
        base,
        assigneePicker: await assigneePicker(app, choices.directory, form, body),
      });
    }
    const saved = await saveTicket(app.db, ticket, result.value, base, me, app.now(), todayOf(app));
    if (saved.kind === 'conflict') {
      const fresh = (await findVisibleTicket(app.db, ticket.id, viewerOf(request))) ?? ticket;
      reply.code(409);
      // The person's own input stays in the form; the next Save applies it knowingly.
      return renderTicket(app, request, reply, fresh, { form, conflict: saved.changes });
    }
    if (request.headers['hx-request'] === 'true') {
      const fresh = (await findVisibleTicket(app.db, ticket.id, viewerOf(request))) ?? ticket;
      return renderTicket(app, request, reply, fresh, {
        flash: saved.kind === 'saved' ? 'Saved.' : 'Nothing to save: no field changed.',
      });
    }
    return reply.redirect(`/tickets/${ticket.id}?saved=1`, 303);
  });
};

export default page;
