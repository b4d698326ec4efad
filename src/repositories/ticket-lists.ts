import { type ExpressionBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { type Store, storeOf } from '../db/dialect/store.js';
import { type TitleSearchOptions, titleMatches } from '../db/dialect/title-search.js';
import type { Db } from '../db/index.js';
import type { Database, TicketStatus } from '../db/schema.js';
import {
  type DueDates,
  type ListScope,
  onlyOpen,
  PAGE_SIZE,
  type SortKey,
  type TicketFilters,
} from '../tickets/filters.js';
import { cleanSearchText, searchWordsOf } from '../tickets/search-words.js';
import { type Viewer, visibleTo } from '../tickets/visibility.js';
import { orderTermsOf, parseCursor, pastCursor } from './ticket-keyset.js';
import {
  countCapped,
  countedBy,
  isPlainMyList,
  type ListTotal,
  planTitleSearch,
} from './ticket-list-plan.js';
import { applyScope, countMyTickets, isOpen, type TicketQuery } from './ticket-scopes.js';

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
