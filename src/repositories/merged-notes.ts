import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import type { TimelineEntry } from './timeline.js';

/**
 * The notes of tickets merged into another, as entries for the survivor's
 * timeline: read where they were written (not copied), each saying which
 * ticket it came from. Bodies are PHI, decrypted here for the page that shows them.
 */
export async function listMergedNotes(
  db: Db,
  phi: PhiCipher,
  ticketIds: readonly number[],
): Promise<(TimelineEntry & { from_ticket: number })[]> {
  if (ticketIds.length === 0) return [];
  const rows = await db
    .selectFrom('ticket_events as e')
    .innerJoin('ticket_notes as n', 'n.id', 'e.note_id')
    .leftJoin('staff', 'staff.id', 'e.staff_id')
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
      'e.ticket_id as from_ticket',
    ])
    .where('e.ticket_id', 'in', [...ticketIds])
    .where('e.kind', '=', 'note')
    .orderBy('e.id')
    .execute();
  return rows.map((row) => ({ ...row, note_body: phi.decrypt(row.note_body) }));
}
