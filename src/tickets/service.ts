import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { queueTicketNotification } from '../notifications/compose.js';
import { recordAudit } from '../repositories/audit.js';
import { findStaffById } from '../repositories/staff.js';
import {
  addAssociatedStaff,
  insertTicket,
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

export interface Actor {
  id: number;
  name: string;
  username?: string;
  /** The address the change came from, for the audit log. */
  ip?: string;
}

/** Every change to a ticket is audited beside the timeline (HIPAA 164.312(b)). */
async function auditChange(
  db: Db,
  actor: Actor,
  action: string,
  ticketId: number,
  detail: string | null,
  now: Date,
): Promise<void> {
  const label = actor.username ? `${actor.name} (${actor.username})` : actor.name;
  await recordAudit(
    db,
    { actor: { staffId: actor.id, label }, action, ticketId, detail, ip: actor.ip ?? null },
    now,
  );
}

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
  actor: Actor,
  now: Date,
): Promise<NewEvent[]> {
  if (assigneeId === null || assigneeId === actor.id) return [];
  const added = await addAssociatedStaff(db, ticketId, actor.id, actor.id, now);
  return added
    ? [{ ticketId, staffId: actor.id, kind: 'associated_added', newValue: actor.name }]
    : [];
}

/**
 * Creates a ticket. `andThen` runs in the same transaction once the ticket
 * exists (sending it to the escalation desk), so either both happen or neither.
 */
export async function createTicket(
  db: Db,
  phi: PhiCipher,
  ticket: ValidTicket,
  openedFrom: OpenedFrom | null,
  actor: Actor,
  now: Date,
  baseUrl: string,
  andThen?: (trx: Db, ticketId: number) => Promise<unknown>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertTicket(
      trx,
      phi,
      {
        title: ticket.title,
        description: ticket.description,
        priorityId: ticket.priority.id,
        dueDate: ticket.dueDate,
        assigneeId: ticket.assigneeId,
        openedFrom,
      },
      actor.id,
      now,
    );
    const events: NewEvent[] = [{ ticketId: id, staffId: actor.id, kind: 'created' }];
    events.push(...(await associateAssigner(trx, id, ticket.assigneeId, actor, now)));
    await recordEvents(trx, events, now);
    await auditChange(trx, actor, 'ticket-created', id, null, now);
    // Queued in the same transaction as the ticket; the outbox worker sends it later.
    if (ticket.assigneeId !== null) {
      await queueTicketNotification(
        trx,
        { kind: 'assigned', ticketId: id, actor },
        { baseUrl, now },
      );
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

/**
 * Saves a ticket edit made from `baseVersion`. Date completed follows the
 * status: set to today when it becomes Complete, cleared when it leaves.
 * `andThen` runs in the same transaction once the edit is saved (the audit row
 * of a confirmed title), so either both happen or neither.
 */
export async function saveTicket(
  db: Db,
  phi: PhiCipher,
  current: TicketDetail,
  edit: TicketEdit,
  base: { version: number; seenEventId: number },
  actor: Actor,
  now: Date,
  today: string,
  baseUrl: string,
  andThen?: (trx: Db, ticketId: number) => Promise<unknown>,
): Promise<SaveResult> {
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
    return base.version === current.version
      ? { kind: 'unchanged' }
      : { kind: 'conflict', changes: await listEventsAfter(db, id, base.seenEventId) };
  }

  return db.transaction().execute(async (trx) => {
    if (!(await updateTicketIfUnchanged(trx, phi, id, base.version, changes, now))) {
      return { kind: 'conflict', changes: await listEventsAfter(trx, id, base.seenEventId) };
    }
    if (assigneeChanged) {
      events.push(...(await associateAssigner(trx, id, edit.assigneeId ?? null, actor, now)));
    }
    await recordEvents(trx, events, now);
    // Which fields changed, never their values: the description is PHI.
    const fields = [...new Set(events.map((e) => e.field ?? e.kind))].join(', ');
    await auditChange(trx, actor, 'ticket-changed', id, fields, now);
    const mail = { baseUrl, now };
    if (assigneeChanged && edit.assigneeId != null) {
      await queueTicketNotification(trx, { kind: 'assigned', ticketId: id, actor }, mail);
    }
    if (changes.status !== undefined) {
      await queueTicketNotification(
        trx,
        { kind: 'status_changed', ticketId: id, actor, status: changes.status },
        mail,
      );
    }
    if (andThen) await andThen(trx, id);
    return { kind: 'saved', changed: events.map((e) => e.field ?? e.kind) };
  });
}

export async function addNote(
  db: Db,
  phi: PhiCipher,
  ticketId: number,
  body: string,
  actor: Actor,
  now: Date,
  baseUrl: string,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const noteId = await insertNote(trx, phi, ticketId, actor.id, body, now);
    await recordEvents(trx, [{ ticketId, staffId: actor.id, kind: 'note', noteId }], now);
    await auditChange(trx, actor, 'note-added', ticketId, null, now);
    await touchTicket(trx, ticketId, now);
    // The message says a note was added and by whom; never what it says.
    await queueTicketNotification(trx, { kind: 'note_added', ticketId, actor }, { baseUrl, now });
    return noteId;
  });
}

export type NoteEditCheck = 'ok' | 'missing' | 'not-author' | 'too-late';

/** Only the author, and only within the first minutes: after that a note stands as written. */
export async function checkNoteEditable(
  db: Db,
  ticketId: number,
  noteId: number,
  actor: Actor,
  now: Date,
): Promise<NoteEditCheck> {
  const note = await findNoteAuthorship(db, ticketId, noteId);
  if (!note) return 'missing';
  if (note.staff_id !== actor.id) return 'not-author';
  if (now.getTime() - Date.parse(note.created_at) > NOTE_EDIT_MINUTES * 60_000) return 'too-late';
  return 'ok';
}

export async function editNote(
  db: Db,
  phi: PhiCipher,
  ticketId: number,
  noteId: number,
  body: string,
  actor: Actor,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await updateNoteBody(trx, phi, noteId, body, now);
    await recordEvents(trx, [{ ticketId, staffId: actor.id, kind: 'note_edited', noteId }], now);
    await auditChange(trx, actor, 'note-edited', ticketId, null, now);
    await touchTicket(trx, ticketId, now);
  });
}
