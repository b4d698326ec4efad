import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import {
  findVisibleTicket,
  listAssociatedStaff,
  type TicketDetail,
} from '../../repositories/tickets.js';
import { lastEventId, listTimeline, type TimelineEntry } from '../../repositories/timeline.js';
import type { FieldErrors } from '../../staff/validate.js';
import { NOTE_EDIT_MINUTES, STATUSES } from '../../tickets/model.js';
import { saveTicket } from '../../tickets/service.js';
import { readTicketForm, type TicketForm, validateTicket } from '../../tickets/validate.js';
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
  return reply.page(
    'tickets/show',
    {
      title: `#${ticket.id} ${ticket.title}`,
      ticket,
      form: state.form ?? formFromTicket(ticket, me.id),
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
    const result = validateTicket(form, {
      priorities: choices.priorities,
      assignable: new Set(choices.staffOptions.map((s) => s.id)),
      me: me.id,
      today: choices.today,
      isNew: false,
      currentDueDate: ticket.due_date,
      currentAssigneeId: ticket.assignee_id,
    });
    if (!result.ok) {
      reply.code(422);
      return renderTicket(app, request, reply, ticket, { form, errors: result.errors, base });
    }
    const saved = await saveTicket(
      app.db,
      ticket,
      result.value,
      base,
      me,
      app.now(),
      todayOf(app),
      app.config.baseUrl,
    );
    if (saved.kind === 'saved') app.outbox.wake();
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
