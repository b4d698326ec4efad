import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/index.js';
import { OPEN_STATUSES } from '../tickets/model.js';

/**
 * The open statuses written into the SQL, not bound: only then can SQLite see
 * that the partial open-ticket index (which lists the same three) applies.
 */
const IS_OPEN = sql<SqlBool>`t.status in (${sql.join(OPEN_STATUSES.map((s) => sql.lit(s)))})`;

/**
 * The Reports page's queries. Titles and counts only: nothing here reads a
 * description or a note. Each walks an index made for it (migration 0080) over
 * a range or over the open tickets, never the whole history.
 */

/** Whose tickets: those raised by staff of one department, or everyone's. */
export interface ReportScope {
  department: string | null;
}

/** A time window: ISO instants, `from` included, `to` not. */
export interface ReportWindow extends ReportScope {
  from: string;
  to: string;
}

/** The staff of a department: the creators whose tickets a department filter keeps. */
function staffOf(db: Db, department: string) {
  return db.selectFrom('staff').select('staff.id').where('staff.department', '=', department);
}

/** A bucket number for a timestamp column against ascending boundaries: 0 before the first. */
function bucketOf(column: string, bounds: readonly string[]): RawBuilder<number> {
  if (bounds.length === 0) return sql<number>`0`;
  const whens = bounds.map((bound, i) => sql`when ${sql.ref(column)} < ${bound} then ${i}`);
  return sql<number>`case ${sql.join(whens, sql` `)} else ${bounds.length} end`;
}

export interface OpenCountRow {
  priority_id: number;
  /** 0 newer than `ageBounds[0]` … `ageBounds.length` older than the last. */
  age: number;
  count: number;
  past_target: number;
  overdue: number;
}

/**
 * Open tickets by priority and age, with how many are past their priority's
 * response target and past their due date. `ageBounds` are instants, newest
 * first. The unary `+` keeps the planner off the narrower open-by-priority
 * list index (migration 0110), which is not covering and would read every open
 * ticket's row; the open-report index answers by status alone.
 */
export function countOpenTickets(
  db: Db,
  scope: ReportScope,
  at: { now: string; today: string; ageBounds: readonly string[] },
): Promise<OpenCountRow[]> {
  const { department } = scope;
  const ageCase = sql<number>`case ${sql.join(
    at.ageBounds.map((bound, i) => sql`when t.created_at >= ${bound} then ${i}`),
    sql` `,
  )} else ${at.ageBounds.length} end`;
  return db
    .selectFrom('tickets as t')
    .innerJoin('priorities as p', 'p.id', 't.priority_id')
    .where(IS_OPEN)
    .where(sql<SqlBool>`+t.priority_id in (select id from priorities)`)
    .$if(department !== null, (q) =>
      q.where('t.created_by', 'in', staffOf(db, department as string)),
    )
    .select([
      't.priority_id',
      ageCase.as('age'),
      sql<number>`count(*)`.as('count'),
      sql<number>`coalesce(sum(p.response_minutes is not null and t.created_at <
        strftime('%Y-%m-%dT%H:%M:%fZ', ${at.now}, '-' || p.response_minutes || ' minutes')), 0)`.as(
        'past_target',
      ),
      sql<number>`coalesce(sum(t.due_date < ${at.today}), 0)`.as('overdue'),
    ])
    .groupBy(['t.priority_id', 'age'])
    .execute();
}

export interface AssigneeCountRow {
  assignee_id: number | null;
  name: string | null;
  count: number;
}

/** Open tickets per assignee (null: unassigned), most first. */
export function countOpenTicketsByAssignee(
  db: Db,
  scope: ReportScope,
): Promise<AssigneeCountRow[]> {
  const { department } = scope;
  return db
    .selectFrom('tickets as t')
    .leftJoin('staff as s', 's.id', 't.assignee_id')
    .where(IS_OPEN)
    .where(sql<SqlBool>`+t.priority_id in (select id from priorities)`)
    .$if(department !== null, (q) =>
      q.where('t.created_by', 'in', staffOf(db, department as string)),
    )
    .select(['t.assignee_id', 's.name', sql<number>`count(*)`.as('count')])
    .groupBy('t.assignee_id')
    .orderBy('count', 'desc')
    .orderBy('s.name')
    .execute();
}

/**
 * Whole minutes between two timestamp columns, rounded as the page rounds them
 * (half up; durations are never negative).
 */
function minutesBetween(later: string, earlier: string): RawBuilder<number> {
  return sql<number>`cast(round((julianday(${sql.ref(later)}) - julianday(${sql.ref(earlier)})) * 1440) as integer)`;
}

/**
 * The band a whole-minute duration falls in, as the page shows it: each minute
 * under an hour, each tenth of an hour under two days, each tenth of a day past
 * that (integer division rounds half up like `formatMinutes`). Every duration in
 * a band reads the same, so a percentile taken over bands is the exact figure
 * shown, while a window's thousands of tickets come back as a few hundred bands.
 */
export function bandOf(minutes: RawBuilder<number>): RawBuilder<number> {
  return sql<number>`case when ${minutes} < 60 then ${minutes}
    when ${minutes} < 2880 then 100000 + (${minutes} + 3) / 6
    else 10000000 + (${minutes} + 72) / 144 end`;
}

export interface WeekCountRow {
  week: number;
  priority_id: number;
  count: number;
}

export interface CreatedWeekRow extends WeekCountRow {
  /** Of them, how many nobody but their creator has answered yet. */
  unanswered: number;
}

/** One band of durations: its shortest duration (whole minutes) and how many fall in it. */
export interface BandRow {
  priority_id: number;
  minutes: number;
  count: number;
}

function createdIn(db: Db, window: ReportWindow) {
  const { department } = window;
  return db
    .selectFrom('ticket_report_times as r')
    .where('r.created_at', '>=', window.from)
    .where('r.created_at', '<', window.to)
    .$if(department !== null, (q) =>
      q.where('r.created_by', 'in', staffOf(db, department as string)),
    );
}

function completedIn(db: Db, window: ReportWindow) {
  const { department } = window;
  return db
    .selectFrom('ticket_report_times as r')
    .where('r.completed_at', '>=', window.from)
    .where('r.completed_at', '<', window.to)
    .$if(department !== null, (q) =>
      q.where('r.created_by', 'in', staffOf(db, department as string)),
    );
}

/**
 * Tickets created in the window, counted by week (by `weekBounds`) and priority.
 * Counted in SQL: handing one row per ticket to the app cost far more than the
 * index walk itself.
 */
export function countCreatedByWeek(
  db: Db,
  window: ReportWindow,
  weekBounds: readonly string[],
): Promise<CreatedWeekRow[]> {
  return createdIn(db, window)
    .select([
      bucketOf('r.created_at', weekBounds).as('week'),
      'r.priority_id',
      sql<number>`count(*)`.as('count'),
      sql<number>`coalesce(sum(r.first_response_at is null), 0)`.as('unanswered'),
    ])
    .groupBy(['week', 'r.priority_id'])
    .execute();
}

/** Time to first response of the tickets created in the window, by priority, in bands (`bandOf`). */
export function bandFirstResponses(db: Db, window: ReportWindow): Promise<BandRow[]> {
  const minutes = minutesBetween('r.first_response_at', 'r.created_at');
  return createdIn(db, window)
    .where('r.first_response_at', 'is not', null)
    .select([
      'r.priority_id',
      sql<number>`min(${minutes})`.as('minutes'),
      sql<number>`count(*)`.as('count'),
    ])
    .groupBy(['r.priority_id', bandOf(minutes)])
    .orderBy('r.priority_id')
    .orderBy(bandOf(minutes))
    .execute();
}

/** Tickets that became Complete in the window, counted by week and priority. */
export function countCompletedByWeek(
  db: Db,
  window: ReportWindow,
  weekBounds: readonly string[],
): Promise<WeekCountRow[]> {
  return completedIn(db, window)
    .select([
      bucketOf('r.completed_at', weekBounds).as('week'),
      'r.priority_id',
      sql<number>`count(*)`.as('count'),
    ])
    .groupBy(['week', 'r.priority_id'])
    .execute();
}

/** Time to complete of the tickets completed in the window, by priority, in bands (`bandOf`). */
export function bandCompletions(db: Db, window: ReportWindow): Promise<BandRow[]> {
  const minutes = minutesBetween('r.completed_at', 'r.created_at');
  return completedIn(db, window)
    .select([
      'r.priority_id',
      sql<number>`min(${minutes})`.as('minutes'),
      sql<number>`count(*)`.as('count'),
    ])
    .groupBy(['r.priority_id', bandOf(minutes)])
    .orderBy('r.priority_id')
    .orderBy(bandOf(minutes))
    .execute();
}

export interface DeskRow {
  open: SqlBool;
  /** Days from sending to Complete; null unless Complete. */
  days_to_complete: number | null;
}

/** Tickets sent to the escalation desk in the window, and how each has fared since. */
export function listSentToDeskInWindow(db: Db, window: ReportWindow): Promise<DeskRow[]> {
  const { department } = window;
  // CROSS JOIN keeps SQLite's join order: from the few sendings in the window
  // to their tickets, never from every ticket to its sending.
  return db
    .selectFrom('ticket_escalations as e')
    .crossJoin('ticket_report_times as r')
    .crossJoin('tickets as t')
    .whereRef('r.ticket_id', '=', 'e.ticket_id')
    .whereRef('t.id', '=', 'e.ticket_id')
    .where('e.sent_at', '>=', window.from)
    .where('e.sent_at', '<', window.to)
    .$if(department !== null, (q) =>
      q.where('r.created_by', 'in', staffOf(db, department as string)),
    )
    .select([
      IS_OPEN.as('open'),
      sql<
        number | null
      >`case when t.status = 'complete' then julianday(r.completed_at) - julianday(e.sent_at) end`.as(
        'days_to_complete',
      ),
    ])
    .execute();
}

/** The departments staff belong to, for the filter. */
export async function listDepartments(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('staff')
    .select('department')
    .distinct()
    .where('department', 'is not', null)
    .where('department', '!=', '')
    .orderBy('department')
    .execute();
  return rows.map((r) => r.department as string);
}
