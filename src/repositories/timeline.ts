import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';

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

/** One event row's values; a create or a save writes one to four of them at once. */
interface EventValues extends Record<string, unknown> {
  ticket_id: number;
  staff_id: number | null;
  at: string;
  kind: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  note_id: number | null;
}

const EVENT_COLUMNS = [
  'ticket_id',
  'staff_id',
  'at',
  'kind',
  'field',
  'old_value',
  'new_value',
  'note_id',
] as const;

/**
 * Compiled once per number of rows (src/db/prepared.ts); values are named
 * `<row>.<column>`. More rows than a save ever writes at once are built each time.
 */
const insertEventsQuery = prepared((db, v: Record<string, unknown>, shape) =>
  db.insertInto('ticket_events').values(
    Array.from({ length: Number(shape) }, (_, row) => {
      const value = (column: (typeof EVENT_COLUMNS)[number]) => v[`${row}.${column}`];
      return {
        ticket_id: value('ticket_id') as number,
        staff_id: value('staff_id') as number | null,
        at: value('at') as string,
        kind: value('kind') as string,
        field: value('field') as string | null,
        old_value: value('old_value') as string | null,
        new_value: value('new_value') as string | null,
        note_id: value('note_id') as number | null,
      };
    }),
  ),
);
const PREPARED_EVENT_ROWS = 8;

export async function recordEvents(db: Db, events: NewEvent[], now: Date): Promise<void> {
  if (events.length === 0) return;
  const at = now.toISOString();
  const rows: EventValues[] = events.map((e) => ({
    ticket_id: e.ticketId,
    staff_id: e.staffId,
    at,
    kind: e.kind,
    field: e.field ?? null,
    old_value: e.oldValue ?? null,
    new_value: e.newValue ?? null,
    note_id: e.noteId ?? null,
  }));
  if (rows.length > PREPARED_EVENT_ROWS) {
    await db.insertInto('ticket_events').values(rows).execute();
    return;
  }
  const values: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const column of EVENT_COLUMNS) values[`${i}.${column}`] = row[column];
  });
  await insertEventsQuery.run(db, values, String(rows.length));
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
  const rows = await timelineQuery.rows(db, { ticketId });
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

/** A ticket's timeline, compiled once (src/db/prepared.ts): every ticket page reads it. */
const timelineQuery = prepared((db, v: { ticketId: number }) =>
  selectTimelineEntries(db).where('e.ticket_id', '=', v.ticketId),
);
/** Events after the one a person last saw: what changed while they were editing. */
export function listEventsAfter(
  db: Db,
  ticketId: number,
  afterId: number,
): Promise<TimelineEntry[]> {
  return listTimeline(db, null, ticketId).then((all) => all.filter((e) => e.id > afterId));
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
