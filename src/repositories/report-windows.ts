import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { bucketOf, type ReportWindow, staffOf } from './reports.js';

/**
 * The Reports page's windowed figures: tickets created and completed in a
 * window, per week, and how long they took. Everyone's figures read the
 * per-day counts the triggers keep (`report_daily`, migration 0180): a twelve-
 * week window is a few thousand small rows, summed in SQL. One department's
 * read its tickets' own rows (`ticket_report_times`, whole minutes and bands
 * kept by the same triggers), as the counts are not kept per department: a
 * department counts its staff's tickets as its staff are now.
 *
 * Durations are exact to the minute: the counts per band find which band holds
 * the median (or 90th percentile), and one read of that band's rows in the
 * window, in order of minutes, finds the value.
 */

/** A window with its agency days (both included) and where its weeks begin. */
export interface DayWindow extends ReportWindow {
  fromDay: string;
  toDay: string;
  /** Each week's first day after the first week: YYYY-MM-DD, and the instant it begins. */
  weekDays: readonly string[];
  weekBounds: readonly string[];
}

/** 1: created (by when they were created); 2: completed (by when they became Complete). */
export type Measure = 1 | 2;

/** One department's report rows in the window, by when they were created (1) or completed (2). */
function departmentRows(db: Db, window: DayWindow, measure: Measure, department: string) {
  const at = measure === 1 ? 'r.created_at' : 'r.completed_at';
  return db
    .selectFrom('ticket_report_times as r')
    .where(at, '>=', window.from)
    .where(at, '<', window.to)
    .where('r.created_by', 'in', staffOf(db, department));
}

/** Everyone's per-day counts over the window's days. */
function dailyRows(db: Db, window: DayWindow) {
  return db
    .selectFrom('report_daily as d')
    .where('d.measure', 'in', [1, 2])
    .where('d.day', '>=', window.fromDay)
    .where('d.day', '<=', window.toDay);
}

export interface WeekCountRow {
  measure: Measure;
  week: number;
  n: number;
}

/** Tickets created and completed per week of the window. */
export async function countPerWeek(db: Db, window: DayWindow): Promise<WeekCountRow[]> {
  const { department } = window;
  if (department === null) {
    return dailyRows(db, window)
      .select([
        'd.measure',
        bucketOf('d.day', window.weekDays).as('week'),
        sql<number>`sum(d.n)`.as('n'),
      ])
      .groupBy(['d.measure', 'week'])
      .execute();
  }
  const rows: WeekCountRow[] = [];
  for (const measure of [1, 2] as const) {
    const at = measure === 1 ? 'r.created_at' : 'r.completed_at';
    rows.push(
      ...(await departmentRows(db, window, measure, department)
        .select([
          sql<Measure>`${sql.lit(measure)}`.as('measure'),
          bucketOf(at, window.weekBounds).as('week'),
          sql<number>`count(*)`.as('n'),
        ])
        .groupBy('week')
        .execute()),
    );
  }
  return rows;
}

export interface BandCountRow {
  measure: Measure;
  priority_id: number;
  /** Duration band, shortest first; -1: created and not answered yet. */
  band: number;
  n: number;
}

/**
 * Per priority and duration band: tickets created in the window by the band of
 * their first response (-1 while none), and tickets completed in it by the band
 * of their time to complete.
 */
export async function countPerBand(db: Db, window: DayWindow): Promise<BandCountRow[]> {
  const { department } = window;
  if (department === null) {
    return dailyRows(db, window)
      .select(['d.measure', 'd.priority_id', 'd.band', sql<number>`sum(d.n)`.as('n')])
      .groupBy(['d.measure', 'd.priority_id', 'd.band'])
      .having(sql<number>`sum(d.n)`, '>', 0)
      .execute();
  }
  const rows: BandCountRow[] = [];
  for (const measure of [1, 2] as const) {
    const band =
      measure === 1 ? sql<number>`coalesce(r.response_band, -1)` : sql<number>`r.complete_band`;
    rows.push(
      ...(await departmentRows(db, window, measure, department)
        .select([
          sql<Measure>`${sql.lit(measure)}`.as('measure'),
          'r.priority_id',
          band.as('band'),
          sql<number>`count(*)`.as('n'),
        ])
        .groupBy(['r.priority_id', 'band'])
        .execute()),
    );
  }
  return rows;
}

/**
 * The minutes of the ticket at `offset` (0: the shortest) among one priority's
 * tickets in one band in the window: to first response for measure 1, to
 * Complete for measure 2.
 */
export async function minutesAt(
  db: Db,
  window: DayWindow,
  at: { measure: Measure; priorityId: number; band: number; offset: number },
): Promise<number | null> {
  const { department } = window;
  const [when, band, minutes] =
    at.measure === 1
      ? (['r.created_at', 'r.response_band', 'r.response_minutes'] as const)
      : (['r.completed_at', 'r.complete_band', 'r.complete_minutes'] as const);
  const row = await db
    .selectFrom('ticket_report_times as r')
    .where('r.priority_id', '=', at.priorityId)
    .where(band, '=', at.band)
    .where(when, '>=', window.from)
    .where(when, '<', window.to)
    .$if(department !== null, (q) =>
      q.where('r.created_by', 'in', staffOf(db, department as string)),
    )
    .select(sql<number | null>`${sql.ref(minutes)}`.as('minutes'))
    .orderBy(minutes)
    .limit(1)
    .offset(at.offset)
    .executeTakeFirst();
  return row?.minutes ?? null;
}
