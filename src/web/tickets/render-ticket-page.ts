import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditChange } from '../../change-context.js';
import type { FieldErrors } from '../../forms/fields.js';
import { findEscalation } from '../../repositories/escalation.js';
import { listAssociatedStaff, type TicketDetail } from '../../repositories/tickets.js';
import { listTimeline, type TimelineEntry } from '../../repositories/timeline.js';
import { isExternalSupport } from '../../staff/external.js';
import type { PickerState } from '../../staff/picker.js';
import { escalationView } from '../../tickets/escalation.js';
import { isOpen, NOTE_EDIT_MINUTES, STATUSES } from '../../tickets/model.js';
import { flagTicket } from '../../tickets/row-flags.js';
import { isNoteEditable } from '../../tickets/service.js';
import type { TitleDecision } from '../../tickets/title-guard.js';
import type { TicketForm } from '../../tickets/validate.js';
import { changeOf } from '../change-context.js';
import { signedIn, viewerOf } from '../signed-in.js';
import { buildAssigneePicker } from './assignee-picker.js';
import { type AssociatedForm, buildAssociatedForm } from './associated-form.js';
import { loadFormChoices } from './form-choices.js';
import { loadRelatedView, type RelatedFormState } from './related-view.js';
import { loadTicketFiles } from './ticket-files.js';

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
  /** Why the files were not added (a limit); the rest of the form is kept. */
  filesError?: string;
  /** The "Send to <desk>" checkbox as the person left it. */
  sendToDesk?: boolean;
  /** Why the ticket was not sent (already sent, or no desk set up). */
  escalationMessage?: string;
  assigneePicker?: PickerState;
  associatedForm?: AssociatedForm;
  /** The title guard's answer on a changed title, for the message and the confirm box. */
  titleDecision?: TitleDecision | null;
  /** The link and merge forms after a refusal. */
  related?: RelatedFormState;
}

/**
 * A timeline entry as the page shows it: whether the note was edited, and
 * whether the person looking may still edit it (the same rule the edit route checks).
 */
function describeForViewer(entry: TimelineEntry, me: number, now: Date) {
  const note = entry.kind === 'note' && entry.note_created_at !== null;
  return {
    ...entry,
    note_edited: note && entry.note_updated_at !== entry.note_created_at,
    editable:
      note && entry.note_staff_id === me && isNoteEditable(entry.note_created_at ?? '', now),
  };
}

/** Renders the ticket page (or its #ticket fragment), auditing the read of its PHI. */
export async function renderTicketPage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ticket: TicketDetail,
  state: TicketPageState = {},
) {
  const me = signedIn(request);
  const [choices, associated, timeline, escalation, escalated, files] = await Promise.all([
    loadFormChoices(app),
    listAssociatedStaff(app.db, ticket.id),
    listTimeline(app.db, app.phi, ticket.id),
    escalationView(app.db, me),
    findEscalation(app.db, ticket.id),
    loadTicketFiles(app, ticket.id),
  ]);
  // The timeline holds every event, in order: the last one is what this page has seen.
  const seenEventId = timeline.at(-1)?.id ?? 0;
  // Every view of a description or notes is audited (HIPAA 164.312(b)).
  await auditChange(app.db, changeOf(request), { action: 'ticket-viewed', ticketId: ticket.id });
  const now = app.now();
  const form = state.form ?? formFromTicket(ticket, me.id);
  const viewer = { ...viewerOf(request), mayMerge: me.permissions.has('merge_tickets') };
  const related = await loadRelatedView(app, ticket, viewer, timeline, now);
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
      timeline: related.timeline.map((entry) => describeForViewer(entry, me.id, now)),
      related,
      relatedForm: state.related ?? {},
      flags: flagTicket(ticket, choices.today, now),
      noteText: state.noteText ?? '',
      noteError: state.noteError ?? null,
      files: { ...files, error: state.filesError ?? state.errors?.files ?? null },
      noteEditMinutes: NOTE_EDIT_MINUTES,
      statuses: STATUSES,
      ...choices,
      escalation,
      escalated: escalated ?? null,
      sendToDesk: state.sendToDesk ?? false,
      titleDecision: state.titleDecision ?? null,
      escalationMessage: state.escalationMessage ?? null,
      // Who can send it on is help for work still to do: not on a completed ticket.
      championsHelp:
        !escalated &&
        escalation.desk !== null &&
        !escalation.maySend &&
        !isExternalSupport(me) &&
        isOpen(ticket.status),
      // External support changes the status and adds notes; nothing else.
      statusOnly: isExternalSupport(me),
      assigneePicker:
        state.assigneePicker ?? (await buildAssigneePicker(app, choices.directory, form)),
      associatedForm: state.associatedForm ?? (await buildAssociatedForm(app, choices.directory)),
    },
    { fragment: 'tickets/_ticket' },
  );
}

/** What a page reached by a 303 after a change says, keyed by the query the change added. */
const FLASH: Record<string, (ticketId: number) => string> = {
  created: (id) => `Ticket #${id} created.`,
  attached: () => 'Files added.',
  saved: () => 'Saved.',
  noted: () => 'Note added.',
  sent: () => 'Sent to the escalation desk.',
  associated: () => 'Associated staff updated.',
  linked: () => 'Links updated.',
  merged: () => 'Merged into this ticket.',
  joined: () => 'You were added to this ticket’s associated staff.',
};

export function flashFromQuery(
  query: Record<string, unknown>,
  ticketId: number,
): string | undefined {
  const key = Object.keys(FLASH).find((k) => query[k] === '1');
  return key ? FLASH[key]?.(ticketId) : undefined;
}
