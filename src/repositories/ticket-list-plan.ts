import { sql } from 'kysely';
import { storeOf } from '../db/dialect/store.js';
import { countTitleHits, walkFrom } from '../db/dialect/title-search.js';
import type { Db } from '../db/index.js';
import { type ListScope, onlyOpen, PAGE_SIZE, type TicketFilters } from '../tickets/filters.js';
import { cleanSearchText, searchWordsOf } from '../tickets/search-words.js';
import type { Viewer } from '../tickets/visibility.js';
import { isOpen, type TicketQuery } from './ticket-scopes.js';

/**
 * How a list is counted, and how a title search finds its page: the choices
 * listTickets (ticket-lists.ts) makes before it reads a row.
 */

/**
 * Counts stop here: past it a list says "10,000+" rather than walk every match
 * (a count of every open ticket in the agency, or every title with "printer",
 * would cost more than the page it heads).
 */
export const COUNT_CAP = 10_000;

/** A list's total: exact, or COUNT_CAP with `capped` when there are more. */
export interface ListTotal {
  total: number;
  capped: boolean;
}

/**
 * How a title search is run. The title index counts its matches (up to one past
 * COUNT_CAP, no ticket read), which chooses the way (TitleSearchOptions) and,
 * when the title is all that narrows an administrator's list, is its total.
 * Only where nothing else narrows the list much is walking safe: everyone's
 * tickets, by last update, filtered at most by status and priority.
 */
export async function planTitleSearch(
  db: Db,
  scope: ListScope,
  viewer: Viewer,
  filters: TicketFilters,
): Promise<{ drive: 'hits' | 'test'; total: ListTotal | null }> {
  const asIs = { drive: 'hits' as const, total: null };
  const text = cleanSearchText(filters.q);
  if (!text || /^#?\d{1,9}$/.test(text)) return asIs;
  if (viewer.externalOnly || scope === 'sent') return asIs;
  // My tickets' tabs: the person's own index is walked, whatever the order (a
  // sort of their matching tickets follows), and their matches are counted so.
  const mine = scope !== 'all';
  if (!mine && (!viewer.seeAll || filters.assignee || filters.due)) return asIs;
  const statusOnly = !mine && (filters.status === 'open' || filters.status === 'any');
  const walkable = mine || filters.sort === 'updated';
  if (!walkable && !(statusOnly && !filters.priority)) return asIs;
  const store = storeOf(db);
  // Walking pays from some number of matches that grows with the tickets the
  // walk may pass (open ones only, when only open ones are listed): count that
  // far when walking is possible, however far past the count cap it is.
  const openOnly = onlyOpen(filters);
  const from = walkable
    ? Math.max(2 * PAGE_SIZE, walkFrom(store, await walkedPopulation(db, openOnly), openOnly))
    : Number.POSITIVE_INFINITY;
  const counting = countTitleHits(store, searchWordsOf(text), {
    openOnly,
    cap: Number.isFinite(from) ? Math.max(COUNT_CAP + 1, from) : COUNT_CAP + 1,
  });
  if (!counting) return asIs;
  const hits = Number((await counting.execute(db)).rows[0]?.n ?? 0);
  const total = statusOnly && !filters.priority ? cappedTotal(hits) : null;
  return { drive: hits >= from ? 'test' : 'hits', total };
}

/**
 * Where a title search walks a My tickets tab, or a list of one status, its
 * count walks too: the person's index, or the (status, last update) index,
 * holds every ticket the list may show, so each is tested without reading its
 * row, where counting from the matches reads the row of each (up to the cap).
 */
export function countedBy(
  drive: 'hits' | 'test',
  scope: ListScope,
  filters: TicketFilters,
): boolean {
  if (drive !== 'test') return false;
  if (scope !== 'all') return true;
  return filters.status !== 'any' && filters.status !== 'open' && !filters.priority;
}

/** A My tickets tab with no filter: its total is the tab's kept count. */
export function isPlainMyList(
  scope: ListScope,
  viewer: Viewer,
  filters: TicketFilters,
): scope is 'assigned' | 'created' | 'associated' {
  return (
    (scope === 'assigned' || scope === 'created' || scope === 'associated') &&
    !viewer.externalOnly &&
    filters.status === 'open' &&
    !filters.priority &&
    !filters.assignee &&
    !filters.due &&
    !filters.q.trim()
  );
}

/** Counts the matches up to one past COUNT_CAP, and no further. */
export async function countCapped(db: Db, base: TicketQuery): Promise<ListTotal> {
  const row = await db
    .selectFrom(
      base
        .select(sql.lit(1).as('one'))
        .limit(COUNT_CAP + 1)
        .as('matches'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return cappedTotal(Number(row.n));
}

/** A count of up to one past COUNT_CAP, as the list states it. */
function cappedTotal(n: number): ListTotal {
  return n > COUNT_CAP ? { total: COUNT_CAP, capped: true } : { total: n, capped: false };
}

/** How long a population figure is kept before it is read again. */
const POPULATION_MS = 60_000;
const populations = new WeakMap<Db, Map<'open' | 'all', { tickets: number; until: number }>>();

/**
 * About how many tickets a title search's walk may pass, read at most once a
 * minute per store: with `openOnly`, the open tickets (a count over their
 * partial index); otherwise the history, taken as the newest ticket's number.
 * It only sizes walkFrom (with the square root of the history; on SQLite, in
 * proportion to the open tickets), so a minute's changes never alter the way
 * a search is run enough to matter, and no search pays a statement for it.
 * Open tickets are a small share of an agency's history (about 1% in the
 * bench's million), so a search of them walks from far fewer matches than
 * one of every status.
 */
export async function walkedPopulation(db: Db, openOnly: boolean): Promise<number> {
  const key = openOnly ? 'open' : 'all';
  const kept = populations.get(db)?.get(key);
  if (kept && kept.until > Date.now()) return kept.tickets;
  const tickets = await readPopulation(db, openOnly);
  const byKey = populations.get(db) ?? new Map();
  byKey.set(key, { tickets, until: Date.now() + POPULATION_MS });
  populations.set(db, byKey);
  return tickets;
}

/** walkedPopulation's statement, read every time (the query-plan test runs it). */
export async function readPopulation(db: Db, openOnly: boolean): Promise<number> {
  const row = openOnly
    ? await db
        .selectFrom('tickets')
        .where(isOpen)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    : await db
        .selectFrom('tickets')
        .select((eb) => eb.fn.max('id').as('n'))
        .executeTakeFirst();
  return Number(row?.n ?? 0);
}
