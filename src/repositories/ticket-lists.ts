import { type ExpressionBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { type Store, storeOf } from '../db/dialect/store.js';
import { titleMatches } from '../db/dialect/title-search.js';
import type { Db } from '../db/index.js';
import type { Database, TicketStatus } from '../db/schema.js';
import { OPEN_STATUSES } from '../tickets/model.js';
import { type Viewer, visibleTo } from './tickets.js';

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
  /** True (1 in SQLite) once the ticket was sent to the escalation desk. */
  sent_to_desk: SqlBool;
}

type TicketQuery = SelectQueryBuilder<Database, 'tickets', object>;

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

function applyScope(base: TicketQuery, scope: ListScope, viewer: Viewer): TicketQuery {
  // External support's visibility narrows every list, whatever the scope.
  const query = viewer.externalOnly ? base.where(visibleTo(viewer)) : base;
  switch (scope) {
    case 'assigned':
      return query.where('tickets.assignee_id', '=', viewer.id);
    case 'created':
      return query.where('tickets.created_by', '=', viewer.id);
    case 'associated':
      // From the person's associations to their tickets: a few hundred lookups,
      // not a probe for every open ticket in the agency.
      return query.where('tickets.id', 'in', (eb) =>
        eb
          .selectFrom('ticket_associated_staff as tas')
          .select('tas.ticket_id')
          .where('tas.staff_id', '=', viewer.id),
      );
    case 'all':
      return query.where(visibleTo(viewer));
    case 'sent':
      return query
        .where(visibleTo(viewer))
        .where('tickets.id', 'in', (eb) => eb.selectFrom('ticket_escalations').select('ticket_id'));
  }
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
): TicketQuery {
  let q = query;
  if (filters.status === 'open') q = q.where('tickets.status', 'in', [...OPEN_STATUSES]);
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
      q = q
        .where('tickets.due_date', '<', dates.today)
        .where('tickets.status', 'in', [...OPEN_STATUSES]);
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

  const text = filters.q.trim();
  if (text) {
    const number = /^#?(\d{1,9})$/.exec(text)?.[1];
    const words = text.split(/\s+/).filter(Boolean).slice(0, 8);
    const inTitle = titleMatches(store, words, { openOnly: onlyOpen(filters) });
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
) {
  return applyFilters(
    storeOf(db),
    applyScope(db.selectFrom('tickets'), scope, viewer),
    filters,
    dates,
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
): Promise<{ rows: TicketRow[]; total: number }> {
  const base = baseQuery(db, scope, viewer, filters, dates);
  const page = Math.max(1, filters.page);
  // The page's tickets are chosen from the indexes alone; only those 50 rows are
  // then read, each a page of its own (the encrypted description lives in it).
  // The priority is joined only to sort by it: the other orders read the index alone.
  const pageIds = applySort(
    filters.sort === 'priority'
      ? base.innerJoin('priorities as p', 'p.id', 'tickets.priority_id').select('tickets.id')
      : base.select('tickets.id'),
    filters.sort,
  )
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const rows = applySort(selectRows(db).where('tickets.id', 'in', pageIds), filters.sort);
  const [list, count] = await Promise.all([
    rows.execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: list as TicketRow[], total: Number(count.n) };
}

/** The counts on My tickets' three tabs: open tickets in each. */
export async function countMyTickets(
  db: Db,
  viewer: Viewer,
): Promise<Record<'assigned' | 'created' | 'associated', number>> {
  const open = [...OPEN_STATUSES];
  const count = async (scope: ListScope) => {
    const row = await applyScope(db.selectFrom('tickets'), scope, viewer)
      .where('tickets.status', 'in', open)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const [assigned, created, associated] = await Promise.all([
    count('assigned'),
    count('created'),
    count('associated'),
  ]);
  return { assigned, created, associated };
}

/** A list row's columns: one definition for the list and for a single re-rendered row. */
function selectRows(db: Db) {
  return db
    .selectFrom('tickets')
    .innerJoin('priorities as p', 'p.id', 'tickets.priority_id')
    .leftJoin('staff as assignee', 'assignee.id', 'tickets.assignee_id')
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
      sentToDesk,
    ]);
}

export function findTicketRow(db: Db, id: number, viewer: Viewer): Promise<TicketRow | undefined> {
  return selectRows(db).where('tickets.id', '=', id).where(visibleTo(viewer)).executeTakeFirst();
}
