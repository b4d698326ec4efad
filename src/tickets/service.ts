// Every change to a ticket is audited beside the timeline (HIPAA 164.312(b)).
import { auditChange, type ChangeContext } from '../change-context.js';
import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { queueTicketNotification } from '../notifications/compose.js';
import { findStaffById } from '../repositories/staff.js';
import {
  addAssociatedStaff,
  insertTicket,
  type NewTicket,
  type TicketChanges,
  type TicketDetail,
  touchTicket,
  updateTicketIfUnchanged,
} from '../repositories/tickets.js';
import {
  findNoteAuthorship,
  insertNote,
  listEventsAfter,
  type NewEvent,
  recordEvents,
  type TimelineEntry,
  updateNoteBody,
} from '../repositories/timeline.js';
import { formatDate } from './dates.js';
import { NOTE_EDIT_MINUTES, statusLabel } from './model.js';
import type { OpenedFrom } from './opened-from.js';
import type { ValidTicket } from './validate.js';
import { waitingClockChanges } from './waiting-time.js';

async function staffName(db: Db, id: number | null): Promise<string> {
  if (id === null) return 'nobody';
  return (await findStaffById(db, id))?.name ?? 'unknown';
}

/**
 * When the person saving assigns the ticket to someone else, they join its
 * associated staff (once), so they keep seeing what becomes of it.
 */
async function associateAssigner(
  db: Db,
  ticketId: number,
  assigneeId: number | null,
  { actor, now }: ChangeContext,
): Promise<NewEvent[]> {
  if (assigneeId === null || assigneeId === actor.id) return [];
  const added = await addAssociatedStaff(db, ticketId, actor.id, actor.id, now);
  return added
    ? [{ ticketId, staffId: actor.id, kind: 'associated_added', newValue: actor.name }]
    : [];
}

/** Runs in the transaction that writes the ticket, once it is written. */
export type AndThen = (trx: Db, ticketId: number) => Promise<unknown>;

export interface CreateTicketOptions {
  ticket: ValidTicket;
  /** Where the Help button was pressed: hushdesk's own page or another application's. */
  openedFrom: OpenedFrom | null;
  change: ChangeContext;
  /** Sending it to the escalation desk: either both happen or neither. */
  andThen?: AndThen;
}

/** Creates a ticket, its first timeline entry, its audit row and the assignee's notice. */
/** The row a valid ticket becomes; who it goes to and where from are the caller's. */
export function newTicketRow(
  ticket: ValidTicket,
  { assigneeId, openedFrom }: Pick<NewTicket, 'assigneeId' | 'openedFrom'>,
): NewTicket {
  return {
    title: ticket.title,
    description: ticket.description,
    priorityId: ticket.priority.id,
    dueDate: ticket.dueDate,
    assigneeId,
    openedFrom,
  };
}

export async function createTicket(
  db: Db,
  phi: PhiCipher,
  { ticket, openedFrom, change, andThen }: CreateTicketOptions,
): Promise<number> {
  const { actor, now } = change;
  return db.transaction().execute(async (trx) => {
    const id = await insertTicket(
      trx,
      phi,
      newTicketRow(ticket, { assigneeId: ticket.assigneeId, openedFrom }),
      actor.id,
      now,
    );
    const events: NewEvent[] = [{ ticketId: id, staffId: actor.id, kind: 'created' }];
    events.push(...(await associateAssigner(trx, id, ticket.assigneeId, change)));
    await recordEvents(trx, events, now);
    await auditChange(trx, change, { action: 'ticket-created', ticketId: id });
    // Queued in the same transaction as the ticket; the outbox worker sends it later.
    if (ticket.assigneeId !== null) {
      await queueTicketNotification(trx, { kind: 'assigned', ticketId: id, actor }, change);
    }
    if (andThen) await andThen(trx, id);
    return id;
  });
}

export type SaveResult =
  | { kind: 'saved'; changed: string[] }
  | { kind: 'unchanged' }
  | { kind: 'conflict'; changes: TimelineEntry[] };

/** What the form asks to change; fields left out stay as they are. */
export type TicketEdit = Partial<Omit<ValidTicket, 'priority'>> & {
  priority?: ValidTicket['priority'];
};

export interface SaveTicketOptions {
  current: TicketDetail;
  edit: TicketEdit;
  /** The version the form was opened at, and the last timeline entry it showed. */
  base: { version: number; seenEventId: number };
  change: ChangeContext;
  /** The agency's date today: Date completed when the status becomes Complete. */
  today: string;
  /** The audit row of a confirmed title, sending to the desk: both happen or neither. */
  andThen?: AndThen;
}

/**
 * Saves a ticket edit made from `base.version`. Date completed follows the
 * status: set to today when it becomes Complete, cleared when it leaves.
 */
export async function saveTicket(
  db: Db,
  phi: PhiCipher,
  { current, edit, base, change: context, today, andThen }: SaveTicketOptions,
): Promise<SaveResult> {
  const { actor, now } = context;
  const changes: TicketChanges = {};
  const events: NewEvent[] = [];
  const id = current.id;
  const change = (field: string, oldValue: string | null, newValue: string | null) =>
    events.push({ ticketId: id, staffId: actor.id, kind: 'changed', field, oldValue, newValue });

  if (edit.title !== undefined && edit.title !== current.title) {
    changes.title = edit.title;
    change('Title', current.title, edit.title);
  }
  if (edit.dueDate !== undefined && edit.dueDate !== current.due_date) {
    changes.due_date = edit.dueDate;
    change('Date due', formatDate(current.due_date) || 'none', formatDate(edit.dueDate) || 'none');
  }
  if (edit.priority && edit.priority.id !== current.priority_id) {
    changes.priority_id = edit.priority.id;
    change('Priority', current.priority_name, edit.priority.name);
  }
  if (edit.status !== undefined && edit.status !== current.status) {
    changes.status = edit.status;
    // Time in Waiting does not count toward the response target.
    Object.assign(changes, waitingClockChanges(current, edit.status, now));
    change('Status', statusLabel(current.status), statusLabel(edit.status));
    if (edit.status === 'complete') {
      changes.completed_date = today;
      change('Date completed', formatDate(current.completed_date) || 'none', formatDate(today));
    } else if (current.status === 'complete') {
      changes.completed_date = null;
      change('Date completed', formatDate(current.completed_date), 'none');
    }
  }
  if (edit.description !== undefined && edit.description !== current.description) {
    changes.description = edit.description;
    // The timeline never holds PHI: it says that the description changed, not how.
    events.push({ ticketId: id, staffId: actor.id, kind: 'changed', field: 'Description' });
  }
  const assigneeChanged = edit.assigneeId !== undefined && edit.assigneeId !== current.assignee_id;
  if (assigneeChanged) {
    changes.assignee_id = edit.assigneeId ?? null;
    change(
      'Assigned To',
      current.assignee_name ?? 'nobody',
      await staffName(db, edit.assigneeId ?? null),
    );
  }
  if (events.length === 0) {
    if (base.version !== current.version) {
      return { kind: 'conflict', changes: await listEventsAfter(db, id, base.seenEventId) };
    }
    if (andThen) await db.transaction().execute((trx) => andThen(trx, id));
    return { kind: 'unchanged' };
  }

  return db.transaction().execute(async (trx) => {
    if (!(await updateTicketIfUnchanged(trx, phi, id, base.version, changes, now))) {
      return { kind: 'conflict', changes: await listEventsAfter(trx, id, base.seenEventId) };
    }
    if (assigneeChanged) {
      events.push(...(await associateAssigner(trx, id, edit.assigneeId ?? null, context)));
    }
    await recordEvents(trx, events, now);
    // Which fields changed, never their values: the description is PHI.
    const fields = [...new Set(events.map((e) => e.field ?? e.kind))].join(', ');
    await auditChange(trx, context, { action: 'ticket-changed', ticketId: id, detail: fields });
    if (assigneeChanged && edit.assigneeId != null) {
      await queueTicketNotification(trx, { kind: 'assigned', ticketId: id, actor }, context);
    }
    if (changes.status !== undefined) {
      await queueTicketNotification(
        trx,
        { kind: 'status_changed', ticketId: id, actor, status: changes.status },
        context,
      );
    }
    if (andThen) await andThen(trx, id);
    return { kind: 'saved', changed: events.map((e) => e.field ?? e.kind) };
  });
}

export interface NoteOptions {
  ticketId: number;
  /** The note's text: PHI, encrypted on the way in. */
  body: string;
  change: ChangeContext;
}

export async function addNote(
  db: Db,
  phi: PhiCipher,
  { ticketId, body, change }: NoteOptions,
): Promise<number> {
  return db.transaction().execute((trx) => addNoteIn(trx, phi, { ticketId, body, change }));
}

/** Adds a note inside the caller's transaction: the ticket page's Save adds one with its change. */
export async function addNoteIn(
  trx: Db,
  phi: PhiCipher,
  { ticketId, body, change }: NoteOptions,
): Promise<number> {
  const { actor, now } = change;
  const noteId = await insertNote(trx, phi, ticketId, actor.id, body, now);
  await recordEvents(trx, [{ ticketId, staffId: actor.id, kind: 'note', noteId }], now);
  await auditChange(trx, change, { action: 'note-added', ticketId });
  await touchTicket(trx, ticketId, now);
  // The message says a note was added and by whom; never what it says.
  await queueTicketNotification(trx, { kind: 'note_added', ticketId, actor }, change);
  return noteId;
}

export type NoteEditCheck = 'ok' | 'missing' | 'not-author' | 'too-late';

/** Whether a note written at `createdAt` may still be corrected at `now`. */
export function isNoteEditable(createdAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(createdAt) <= NOTE_EDIT_MINUTES * 60_000;
}

/** Only the author, and only within the first minutes: after that a note stands as written. */
export async function checkNoteEditable(
  db: Db,
  { ticketId, noteId, change }: { ticketId: number; noteId: number; change: ChangeContext },
): Promise<NoteEditCheck> {
  const note = await findNoteAuthorship(db, ticketId, noteId);
  if (!note) return 'missing';
  if (note.staff_id !== change.actor.id) return 'not-author';
  return isNoteEditable(note.created_at, change.now) ? 'ok' : 'too-late';
}

export async function editNote(
  db: Db,
  phi: PhiCipher,
  { ticketId, noteId, body, change }: NoteOptions & { noteId: number },
): Promise<void> {
  const { actor, now } = change;
  await db.transaction().execute(async (trx) => {
    await updateNoteBody(trx, phi, noteId, body, now);
    await recordEvents(trx, [{ ticketId, staffId: actor.id, kind: 'note_edited', noteId }], now);
    await auditChange(trx, change, { action: 'note-edited', ticketId });
    await touchTicket(trx, ticketId, now);
  });
}
