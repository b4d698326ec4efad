import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';

export interface NewEvent {
  ticketId: number;
  staffId: number | null;
  kind:
    | 'created'
    | 'changed'
    | 'note'
    | 'note_edited'
    | 'associated_added'
    | 'associated_removed'
    | 'escalated'
    | 'attached'
    // Links and merges: new_value holds the other ticket's number, shown only to who may see it.
    | 'linked'
    | 'unlinked'
    | 'merged_into'
    | 'merged_from';
  field?: string | null;
  /** Display values (labels and names), never PHI: a description edit has none. */
  oldValue?: string | null;
  newValue?: string | null;
  noteId?: number | null;
}

export async function recordEvents(db: Db, events: NewEvent[], now: Date): Promise<void> {
  if (events.length === 0) return;
  const at = now.toISOString();
  await db
    .insertInto('ticket_events')
    .values(
      events.map((e) => ({
        ticket_id: e.ticketId,
        staff_id: e.staffId,
        at,
        kind: e.kind,
        field: e.field ?? null,
        old_value: e.oldValue ?? null,
        new_value: e.newValue ?? null,
        note_id: e.noteId ?? null,
      })),
    )
    .execute();
}

export interface TimelineEntry {
  id: number;
  at: string;
  kind: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  staff_name: string | null;
  note_id: number | null;
  note_body: string | null;
  note_staff_id: number | null;
  note_created_at: string | null;
  note_updated_at: string | null;
}

/**
 * The timeline with note bodies decrypted (notes are PHI). Without a cipher the
 * bodies are left out: nothing is decrypted that will not be shown.
 */
export async function listTimeline(
  db: Db,
  phi: PhiCipher | null,
  ticketId: number,
): Promise<TimelineEntry[]> {
  const rows = await selectTimelineEntries(db).where('e.ticket_id', '=', ticketId).execute();
  return rows.map((row) => ({ ...row, note_body: phi ? phi.decrypt(row.note_body) : null }));
}

/** Timeline entries as the page shows them (note bodies still encrypted), in order. */
export function selectTimelineEntries(db: Db) {
  return db
    .selectFrom('ticket_events as e')
    .leftJoin('staff', 'staff.id', 'e.staff_id')
    .leftJoin('ticket_notes as n', 'n.id', 'e.note_id')
    .select([
      'e.id',
      'e.at',
      'e.kind',
      'e.field',
      'e.old_value',
      'e.new_value',
      'staff.name as staff_name',
      'e.note_id',
      'n.body as note_body',
      'n.staff_id as note_staff_id',
      'n.created_at as note_created_at',
      'n.updated_at as note_updated_at',
    ])
    .orderBy('e.id');
}

/** Events after the one a person last saw: what changed while they were editing. */
export function listEventsAfter(
  db: Db,
  ticketId: number,
  afterId: number,
): Promise<TimelineEntry[]> {
  return listTimeline(db, null, ticketId).then((all) => all.filter((e) => e.id > afterId));
}

export async function lastEventId(db: Db, ticketId: number): Promise<number> {
  const row = await db
    .selectFrom('ticket_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

export async function insertNote(
  db: Db,
  phi: PhiCipher,
  ticketId: number,
  staffId: number,
  body: string,
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const row = await db
    .insertInto('ticket_notes')
    .values({
      ticket_id: ticketId,
      staff_id: staffId,
      body: phi.encrypt(body),
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findNote(db: Db, phi: PhiCipher, ticketId: number, noteId: number) {
  const note = await db
    .selectFrom('ticket_notes')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .where('id', '=', noteId)
    .executeTakeFirst();
  return note && { ...note, body: phi.decrypt(note.body) };
}

/** Who wrote a note and when, without reading (decrypting) what it says. */
export function findNoteAuthorship(db: Db, ticketId: number, noteId: number) {
  return db
    .selectFrom('ticket_notes')
    .select(['id', 'staff_id', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .where('id', '=', noteId)
    .executeTakeFirst();
}

export async function updateNoteBody(
  db: Db,
  phi: PhiCipher,
  noteId: number,
  body: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('ticket_notes')
    .set({ body: phi.encrypt(body), updated_at: now.toISOString() })
    .where('id', '=', noteId)
    .execute();
}
