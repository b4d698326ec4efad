import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { daysBetween, secondsBefore } from '../db/dialect/date-math.js';
import { storeOf } from '../db/dialect/store.js';
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
export function staffOf(db: Db, department: string) {
  return db.selectFrom('staff').select('staff.id').where('staff.department', '=', department);
}

/** A bucket number for a column against ascending boundaries: 0 before the first. */
export function bucketOf(column: string, bounds: readonly string[]): RawBuilder<number> {
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
 * first; `pastTarget` gives, per priority with a target, the instant before
 * which an open ticket is past it (worked out once by the caller, not per row).
 * The unary `+` keeps the planner off the narrower open-by-priority list index
 * (migration 0110), which is not covering and would read every open ticket's
 * row; the open-report index answers by status alone.
 */
export function countOpenTickets(
  db: Db,
  scope: ReportScope,
  at: {
    today: string;
    ageBounds: readonly string[];
    now: string;
    pastTarget: readonly { priorityId: number; minutes: number; before: string }[];
  },
): Promise<OpenCountRow[]> {
  const { department } = scope;
  const store = storeOf(db);
  const ageCase = sql<number>`case ${sql.join(
    at.ageBounds.map((bound, i) => sql`when t.created_at >= ${bound} then ${i}`),
    sql` `,
  )} else ${at.ageBounds.length} end`;
  const pastCase =
    at.pastTarget.length === 0
      ? sql<number>`0`
      : sql<number>`case ${sql.join(
          at.pastTarget.map(
            // Time in Waiting does not count: a ticket that has waited has its clock
            // stopped at `waiting_since` and moved on by the seconds it waited before.
            (p) => sql`when t.priority_id = ${p.priorityId} and (case
              when t.waiting_since is null and t.waited_seconds = 0 then t.created_at < ${p.before}
              else t.created_at < ${secondsBefore(
                store,
                sql`coalesce(t.waiting_since, ${at.now})`,
                sql`(${p.minutes * 60} + t.waited_seconds)`,
              )} end) then 1`,
          ),
          sql` `,
        )} else 0 end`;
  return db
    .selectFrom('tickets as t')
    .where(IS_OPEN)
    .where(sql<SqlBool>`+t.priority_id in (select id from priorities)`)
    .$if(department !== null, (q) =>
      q.where('t.created_by', 'in', staffOf(db, department as string)),
    )
    .select([
      't.priority_id',
      ageCase.as('age'),
      sql<number>`count(*)`.as('count'),
      sql<number>`coalesce(sum(${pastCase}), 0)`.as('past_target'),
      sql<number>`coalesce(sum(case when t.due_date < ${at.today} then 1 else 0 end), 0)`.as(
        'overdue',
      ),
    ])
    .groupBy(['t.priority_id', 'age'])
    .execute();
}

export interface AssigneeCountRow {
  assignee_id: number | null;
  name: string | null;
  count: number;
}

/**
 * Open tickets per assignee (null: unassigned), most first. Everyone's are
 * the per-person open counts the triggers keep for My tickets (migration 0110:
 * `assigned`, and `created`, whose sum is every open ticket), so no open
 * ticket is walked; one department's count its staff's open tickets.
 */
export async function countOpenTicketsByAssignee(
  db: Db,
  scope: ReportScope,
): Promise<AssigneeCountRow[]> {
  const { department } = scope;
  if (department === null) {
    const rows = await db
      .selectFrom('staff_open_counts as c')
      .innerJoin('staff as s', 's.id', 'c.staff_id')
      .where('c.assigned', '>', 0)
      .select([
        sql<number | null>`c.staff_id`.as('assignee_id'),
        sql<string | null>`s.name`.as('name'),
        'c.assigned as count',
      ])
      .unionAll(
        db
          .selectFrom('staff_open_counts')
          .select([
            sql<number | null>`null`.as('assignee_id'),
            sql<string | null>`null`.as('name'),
            sql<number>`coalesce(sum(created) - sum(assigned), 0)`.as('count'),
          ]),
      )
      .orderBy('count', 'desc')
      .orderBy('name')
      .execute();
    return rows.filter((r) => r.assignee_id !== null || r.count > 0);
  }
  return db
    .selectFrom('tickets as t')
    .leftJoin('staff as s', 's.id', 't.assignee_id')
    .where(IS_OPEN)
    .where(sql<SqlBool>`+t.priority_id in (select id from priorities)`)
    .where('t.created_by', 'in', staffOf(db, department))
    .select(['t.assignee_id', 's.name', sql<number>`count(*)`.as('count')])
    .groupBy(['t.assignee_id', 's.name'])
    .orderBy('count', 'desc')
    .orderBy('s.name')
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
      sql<number | null>`case when t.status = 'complete' then ${daysBetween(
        storeOf(db),
        sql.ref('e.sent_at'),
        sql.ref('r.completed_at'),
      )} end`.as('days_to_complete'),
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

/** What the Reports figures were counted from (see `readReportVersion`). */
export interface ReportVersion {
  /** Changes when any figure may have. */
  key: string;
  /** Changes when a staff member's name, department, role or active flag does (migration 0011). */
  staff: number;
}

/**
 * What the Reports figures were counted from: every change to a ticket writes
 * a timeline row, so the newest event's number moves with each (an index
 * seek); the staff directory's version moves with every change to a name or
 * department (kept by triggers); the billing coordinator is one setting; the
 * priorities (names, order, response targets) are a handful of rows, read as
 * they are. Timestamps are not used: a clock set back would leave them behind.
 * Two statements, in SQL both stores speak.
 */
export async function readReportVersion(db: Db): Promise<ReportVersion> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('ticket_events')
        .select((e) => e.fn.max('id').as('v'))
        .as('events'),
      eb.selectFrom('staff_directory_version').select('version').where('id', '=', 1).as('staff'),
      eb
        .selectFrom('settings')
        .select('value')
        .where('key', '=', 'billing_coordinator_id')
        .as('coordinator'),
    ])
    .executeTakeFirst();
  const priorities = await db
    .selectFrom('priorities')
    .select(['id', 'key', 'name', 'rank', 'response_minutes', 'target_label'])
    .orderBy('id')
    .execute();
  return { key: JSON.stringify([row ?? null, priorities]), staff: Number(row?.staff ?? 0) };
}
