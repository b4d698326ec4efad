import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { selectTimelineEntries, type TimelineEntry } from './timeline.js';

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
  const rows = await selectTimelineEntries(db)
    .select('e.ticket_id as from_ticket')
    .where('e.ticket_id', 'in', [...ticketIds])
    .where('e.kind', '=', 'note')
    .execute();
  return rows.map((row) => ({ ...row, note_body: phi.decrypt(row.note_body) }));
}
