import { storeOf } from '../db/dialect/store.js';
import { openTitleWordHits } from '../db/dialect/title-search.js';
import type { Db } from '../db/index.js';
import { type Viewer, visibleTo } from '../tickets/visibility.js';
import { isOpen } from './ticket-scopes.js';

export interface SimilarTicket {
  id: number;
  title: string;
  status: string;
}

/**
 * Open tickets the viewer may see whose titles share the most of these words
 * (at least `minHits`), most shared first, then most recently updated. Titles
 * only: nothing else of a ticket is read.
 */
export async function findSimilarOpenTickets(
  db: Db,
  words: readonly string[],
  options: { viewer: Viewer; minHits: number; limit: number },
): Promise<SimilarTicket[]> {
  const match = openTitleWordHits(storeOf(db), words);
  if (!match) return [];
  return db
    .selectFrom('tickets')
    .select(['tickets.id', 'tickets.title', 'tickets.status'])
    .where(match.any)
    .where(isOpen)
    .where(visibleTo(options.viewer))
    .where(match.hits, '>=', options.minHits)
    .orderBy(match.hits, 'desc')
    .orderBy('tickets.updated_at', 'desc')
    .limit(options.limit)
    .execute();
}
