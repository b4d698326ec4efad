import { type ExpressionBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { type Store, storeOf } from '../db/dialect/store.js';
import {
  countTitleHits,
  type TitleSearchOptions,
  titleMatches,
  walkFrom,
} from '../db/dialect/title-search.js';
import type { Db } from '../db/index.js';
import type { Database, TicketStatus } from '../db/schema.js';
import { OPEN_STATUSES } from '../tickets/model.js';
import { cleanSearchText, searchWordsOf } from '../tickets/search-words.js';
import { type Viewer, visibleTo } from '../tickets/visibility.js';
import { orderTermsOf, parseCursor, pastCursor } from './ticket-keyset.js';
import { applyScope, countMyTickets, isOpen, type TicketQuery } from './ticket-scopes.js';

/** 'sent': tickets sent to the escalation desk, External support's only list. */
export type ListScope = 'all' | 'assigned' | 'created' | 'associated' | 'sent';
export type DueFilter = '' | 'overdue' | 'today' | 'week' | 'none';
export type SortKey = 'updated' | 'due' | 'priority' | 'created';

export interface TicketFilters {
  status: 'open' | 'any' | TicketStatus;
  priority: string;
  /** A staff id, 'none' for unassigned, or '' for anyone. */
  assignee: string;
  due: DueFilter;
  q: string;
  sort: SortKey;
  page: number;
  /** Keyset paging: the cursor of the row the page starts after, or ends before (ticket-keyset.ts). */
  after: string;
  before: string;
}

export interface DueDates {
  today: string;
  endOfWeek: string;
}

export const PAGE_SIZE = 50;

export interface TicketRow {
  id: number;
  title: string;
  status: TicketStatus;
  due_date: string | null;
  completed_date: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  assignee_id: number | null;
  assignee_name: string | null;
  priority_key: string;
  priority_name: string;
  priority_rank: number;
  response_minutes: number | null;
  waiting_since: string | null;
  waited_seconds: number;
  /** True (1 in SQLite) once the ticket was sent to the escalation desk. */
  sent_to_desk: SqlBool;
  /** The other application the ticket was opened from: its name, or its host without one. */
  opened_from_app: string | null;
}

/** 1 when the ticket was sent to the escalation desk: the badge in lists. */
function sentToDesk(eb: ExpressionBuilder<Database, 'tickets'>) {
  return eb
    .exists(
      eb
        .selectFrom('ticket_escalations as te')
        .select('te.ticket_id')
        .whereRef('te.ticket_id', '=', 'tickets.id'),
    )
    .as('sent_to_desk');
}

/** True when the filters let only open tickets through, whatever else they say. */
function onlyOpen(filters: TicketFilters): boolean {
  return (
    filters.status === 'open' ||
    (OPEN_STATUSES as readonly string[]).includes(filters.status) ||
    filters.due === 'overdue'
  );
}

function applyFilters(
  store: Store,
  query: TicketQuery,
  filters: TicketFilters,
  dates: DueDates,
  drive: TitleSearchOptions['drive'],
): TicketQuery {
  let q = query;
  if (filters.status === 'open') q = q.where(isOpen);
  else if (filters.status !== 'any') q = q.where('tickets.status', '=', filters.status);

  if (filters.priority) {
    q = q.where('tickets.priority_id', '=', (eb: ExpressionBuilder<Database, 'tickets'>) =>
      eb.selectFrom('priorities').select('id').where('key', '=', filters.priority),
    );
  }
  if (filters.assignee === 'none') q = q.where('tickets.assignee_id', 'is', null);
  else if (filters.assignee) q = q.where('tickets.assignee_id', '=', Number(filters.assignee));

  switch (filters.due) {
    case 'overdue':
      q = q.where('tickets.due_date', '<', dates.today).where(isOpen);
      break;
    case 'today':
      q = q.where('tickets.due_date', '=', dates.today);
      break;
    case 'week':
      q = q
        .where('tickets.due_date', '>=', dates.today)
        .where('tickets.due_date', '<=', dates.endOfWeek);
      break;
    case 'none':
      q = q.where('tickets.due_date', 'is', null);
      break;
  }

  const text = cleanSearchText(filters.q);
  if (text) {
    const number = /^#?(\d{1,9})$/.exec(text)?.[1];
    const words = searchWordsOf(text);
    const inTitle = titleMatches(store, words, { openOnly: onlyOpen(filters), drive });
    q = q.where((eb) => {
      if (number && inTitle) return eb.or([eb('tickets.id', '=', Number(number)), inTitle]);
      if (number) return eb('tickets.id', '=', Number(number));
      // Nothing searchable was typed (only punctuation): nothing matches.
      return inTitle ?? eb.lit(false);
    });
  }
  return q;
}

function baseQuery(
  db: Db,
  scope: ListScope,
  viewer: Viewer,
  filters: TicketFilters,
  dates: DueDates,
  drive: TitleSearchOptions['drive'] = 'hits',
) {
  return applyFilters(
    storeOf(db),
    applyScope(db.selectFrom('tickets'), scope, viewer),
    filters,
    dates,
    drive,
  );
}

/**
 * How a title search is run. The title index counts its matches (up to one past
 * COUNT_CAP, no ticket read), which chooses the way (TitleSearchOptions) and,
 * when the title is all that narrows an administrator's list, is its total.
 * Only where nothing else narrows the list much is walking safe: everyone's
 * tickets, by last update, filtered at most by status and priority.
 */
async function planTitleSearch(
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
  // Walking pays from some number of matches that grows with the history: count
  // that far when walking is possible, however far past the count cap it is.
  let from = Number.POSITIVE_INFINITY;
  if (walkable) {
    const newest = await db
      .selectFrom('tickets')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    from = Math.max(2 * PAGE_SIZE, walkFrom(store, Number(newest?.id ?? 0)));
  }
  const counting = countTitleHits(store, searchWordsOf(text), {
    openOnly: onlyOpen(filters),
    cap: Number.isFinite(from) ? Math.max(COUNT_CAP + 1, from) : COUNT_CAP + 1,
  });
  if (!counting) return asIs;
  const hits = Number((await counting.execute(db)).rows[0]?.n ?? 0);
  const total =
    statusOnly && !filters.priority
      ? hits > COUNT_CAP
        ? { total: COUNT_CAP, capped: true }
        : { total: hits, capped: false }
      : null;
  return { drive: hits >= from ? 'test' : 'hits', total };
}

/** The list's order, ties broken by number so pages never overlap; `p` is the priority. */
function applySort<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  sort: SortKey,
): SelectQueryBuilder<DB, TB, O> {
  const id = sql.ref('tickets.id');
  switch (sort) {
    case 'due':
      return query
        .orderBy(sql`tickets.due_date is null`)
        .orderBy(sql.ref('tickets.due_date'))
        .orderBy(id, 'desc');
    case 'priority':
      return query
        .orderBy(sql.ref('p.rank'), 'desc')
        .orderBy(sql.ref('tickets.updated_at'), 'desc')
        .orderBy(id, 'desc');
    case 'created':
      return query.orderBy(id, 'desc');
    default:
      return query.orderBy(sql.ref('tickets.updated_at'), 'desc').orderBy(id, 'desc');
  }
}

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

export async function listTickets(
  db: Db,
  scope: ListScope,
  viewer: Viewer,
  filters: TicketFilters,
  dates: DueDates,
): Promise<{ rows: TicketRow[] } & ListTotal> {
  const search = await planTitleSearch(db, scope, viewer, filters);
  const base = baseQuery(db, scope, viewer, filters, dates);
  const walked =
    search.drive === 'test' ? baseQuery(db, scope, viewer, filters, dates, 'test') : base;
  const page = Math.max(1, filters.page);
  // After a cursor (Next) or before one (Previous); a page number without one
  // (a link from before keyset paging) still works, by OFFSET.
  const after = filters.after ? parseCursor(filters.sort, filters.after) : null;
  const before = !after && filters.before ? parseCursor(filters.sort, filters.before) : null;
  const cursor = after ?? before;
  // The page's tickets are chosen from the indexes alone; only those 50 rows are
  // then read, each a page of its own (the encrypted description lives in it).
  // The priority is joined only to sort by it: the other orders read the index alone.
  let chosen =
    filters.sort === 'priority'
      ? walked.innerJoin('priorities as p', 'p.id', 'tickets.priority_id').select('tickets.id')
      : walked.select('tickets.id');
  if (cursor) chosen = chosen.where(pastCursor(filters.sort, cursor, before !== null));
  const pageIds = (
    before
      ? orderTermsOf(filters.sort, true).reduce(
          (q, term) => q.orderBy(term.expr, term.direction),
          chosen,
        )
      : applySort(chosen, filters.sort)
  )
    .limit(PAGE_SIZE)
    .offset(cursor ? 0 : (page - 1) * PAGE_SIZE);
  const rows = applySort(selectRows(db).where('tickets.id', 'in', pageIds), filters.sort);
  const list = await rows.execute();
  const total = isPlainMyList(scope, viewer, filters)
    ? { total: (await countMyTickets(db, viewer))[scope], capped: false }
    : (search.total ??
      (await countCapped(db, countedBy(search.drive, scope, filters) ? walked : base)));
  return { rows: list as TicketRow[], ...total };
}

/**
 * Where a title search walks a My tickets tab, or a list of one status, its
 * count walks too: the person's index, or the (status, last update) index,
 * holds every ticket the list may show, so each is tested without reading its
 * row, where counting from the matches reads the row of each (up to the cap).
 */
function countedBy(drive: 'hits' | 'test', scope: ListScope, filters: TicketFilters): boolean {
  if (drive !== 'test') return false;
  if (scope !== 'all') return true;
  return filters.status !== 'any' && filters.status !== 'open' && !filters.priority;
}

/** A My tickets tab with no filter: its total is the tab's kept count. */
function isPlainMyList(
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
async function countCapped(db: Db, base: TicketQuery): Promise<ListTotal> {
  const row = await db
    .selectFrom(
      base
        .select(sql.lit(1).as('one'))
        .limit(COUNT_CAP + 1)
        .as('matches'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  return n > COUNT_CAP ? { total: COUNT_CAP, capped: true } : { total: n, capped: false };
}

/** A list row's columns: one definition for the list and for a single re-rendered row. */
function selectRows(db: Db) {
  return db
    .selectFrom('tickets')
    .innerJoin('priorities as p', 'p.id', 'tickets.priority_id')
    .leftJoin('staff as assignee', 'assignee.id', 'tickets.assignee_id')
    .leftJoin('application_names as app', 'app.host', 'tickets.opened_from_host')
    .select([
      'tickets.id',
      'tickets.title',
      'tickets.status',
      'tickets.due_date',
      'tickets.completed_date',
      'tickets.created_at',
      'tickets.updated_at',
      'tickets.version',
      'tickets.assignee_id',
      'assignee.name as assignee_name',
      'p.key as priority_key',
      'p.name as priority_name',
      'p.rank as priority_rank',
      'p.response_minutes',
      'tickets.waiting_since',
      'tickets.waited_seconds',
      sentToDesk,
      (eb) => eb.fn.coalesce('app.name', 'tickets.opened_from_host').as('opened_from_app'),
    ]);
}

export function findTicketRow(db: Db, id: number, viewer: Viewer): Promise<TicketRow | undefined> {
  return selectRows(db).where('tickets.id', '=', id).where(visibleTo(viewer)).executeTakeFirst();
}
