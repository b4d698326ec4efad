import { sql } from 'kysely';
import { offsetMinutes, startOfDay } from '../audit/filters.js';
import { LOCK_KEYS, lockUntilCommit } from '../db/dialect/locking.js';
import type { Db } from '../db/index.js';
import { addDays, agencyToday } from '../tickets/dates.js';

/**
 * The agency's days for the Reports counts. The triggers that keep
 * `report_daily` file each ticket under the day `report_days` says its moment
 * falls in; only the app knows the time zone, so the app writes those days:
 * from the oldest ticket's day to about a year ahead. When the time zone changes,
 * or a ticket fell outside them (day ''), the days are written again and the
 * counts rebuilt from `ticket_report_times` in one transaction (seconds at a
 * million tickets). When today only nears the last day written, the days after
 * it are added and no count is touched.
 */
const DAYS_AHEAD = 400;
/** Rebuild before the written days run out, not on the day they do. */
const MARGIN_DAYS = 31;
const CHUNK = 400;

/** One rebuild at a time per database, however many requests ask at once. */
const building = new WeakMap<Db, Promise<void>>();

export async function ensureReportCalendar(db: Db, timeZone: string, now: Date): Promise<void> {
  const running = building.get(db);
  if (running) return running;
  const today = agencyToday(now, timeZone);
  if ((await whatIsNeeded(db, timeZone, today)) === null) return;
  const build = db
    .transaction()
    .execute(async (trx) => {
      // Another process on the same PostgreSQL database may be writing the
      // days too (two starting at once): wait for it, then look again.
      await lockUntilCommit(trx, LOCK_KEYS.reportCalendar);
      const need = await whatIsNeeded(trx, timeZone, today);
      if (need === 'rebuild') await rebuildReportCalendar(trx, timeZone, today);
      else if (need !== null) await extendReportCalendar(trx, timeZone, need.lastDay, today);
    })
    .finally(() => building.delete(db));
  building.set(db, build);
  return build;
}

/**
 * Nothing (null); more days after the last one written, when only they run
 * short (no count moves: a few hundred rows, milliseconds at any size); or
 * a rebuild of days and counts, when the zone changed or a count was filed
 * outside the written days (every ticket is counted again).
 */
async function whatIsNeeded(
  db: Db,
  timeZone: string,
  today: string,
): Promise<null | 'rebuild' | { lastDay: string }> {
  const calendar = await db.selectFrom('report_calendar').selectAll().executeTakeFirst();
  if (!calendar || calendar.time_zone !== timeZone) return 'rebuild';
  const outside = await db
    .selectFrom('report_daily')
    .select('n')
    .where('measure', 'in', [1, 2])
    .where('day', '=', '')
    .where('n', '>', 0)
    .limit(1)
    .executeTakeFirst();
  if (outside !== undefined) return 'rebuild';
  if (calendar.last_day >= addDays(today, MARGIN_DAYS)) return null;
  // A moment after the last written day was filed under that day (the latest
  // start before it): only a rebuild puts such a ticket on its own day.
  const after = (startOfDay(addDays(calendar.last_day, 1), timeZone) ?? new Date(0)).toISOString();
  return (await hasReportTimesFrom(db, after)) ? 'rebuild' : { lastDay: calendar.last_day };
}

/** Whether any ticket was created or completed at or after an instant: two index seeks. */
export async function hasReportTimesFrom(db: Db, instant: string): Promise<boolean> {
  const row = await db
    .selectFrom('ticket_report_times')
    .select('ticket_id')
    .where((eb) => eb.or([eb('created_at', '>=', instant), eb('completed_at', '>=', instant)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The agency day of the oldest ticket the reports count, or today when there is none. */
async function firstDay(db: Db, timeZone: string, today: string): Promise<string> {
  const oldest = await db
    .selectFrom('ticket_report_times')
    .select((eb) => eb.fn.min('created_at').as('at'))
    .executeTakeFirst();
  const at = oldest?.at ? new Date(oldest.at) : null;
  const day = at && !Number.isNaN(at.getTime()) ? agencyToday(at, timeZone) : today;
  return addDays(day < today ? day : today, -1);
}

/** The day an instant falls in, from report_days (the triggers use the same lookup). */
function dayOf(column: 'r.created_at' | 'r.completed_at') {
  return sql<string>`coalesce((select d.day from report_days d where d.starts_at <= ${sql.ref(column)}
    order by d.starts_at desc limit 1), '')`;
}

/** Each day's first instant. A day starts 24 hours after the one before unless the offset moved. */
function daysBetween(first: string, last: string, timeZone: string) {
  const days: { starts_at: string; day: string }[] = [];
  let start = startOfDay(first, timeZone)?.getTime() ?? 0;
  let offset = offsetMinutes(start, timeZone);
  for (let day = first; day <= last; day = addDays(day, 1)) {
    days.push({ starts_at: new Date(start).toISOString(), day });
    const next = start + 86_400_000;
    const nextOffset = offsetMinutes(next, timeZone);
    if (nextOffset === offset) start = next;
    else {
      start = startOfDay(addDays(day, 1), timeZone)?.getTime() ?? next;
      offset = offsetMinutes(start, timeZone);
    }
  }
  return days;
}

/** Run inside the caller's transaction, which holds the calendar's lock. */
async function rebuildReportCalendar(trx: Db, timeZone: string, today: string): Promise<void> {
  const first = await firstDay(trx, timeZone, today);
  const last = addDays(today, DAYS_AHEAD);
  const days = daysBetween(first, last, timeZone);
  await trx.deleteFrom('report_days').execute();
  for (let i = 0; i < days.length; i += CHUNK) {
    await trx
      .insertInto('report_days')
      .values(days.slice(i, i + CHUNK))
      .execute();
  }
  await trx.deleteFrom('report_daily').execute();
  for (const measure of [1, 2] as const) {
    const [at, band] =
      measure === 1
        ? (['r.created_at', sql<number>`coalesce(r.response_band, -1)`] as const)
        : (['r.completed_at', sql<number>`r.complete_band`] as const);
    await trx
      .insertInto('report_daily')
      .columns(['measure', 'day', 'priority_id', 'band', 'n'])
      .expression(
        trx
          .selectFrom('ticket_report_times as r')
          .$if(measure === 2, (q) =>
            q.where('r.completed_at', 'is not', null).where('r.complete_band', 'is not', null),
          )
          .select([
            sql<number>`${sql.lit(measure)}`.as('measure'),
            dayOf(at).as('day'),
            'r.priority_id',
            band.as('band'),
            sql<number>`count(*)`.as('n'),
          ])
          .groupBy([sql`2`, sql`3`, sql`4`]),
      )
      .execute();
  }
  await trx.deleteFrom('report_calendar').execute();
  await trx
    .insertInto('report_calendar')
    .values({ id: 1, time_zone: timeZone, first_day: first, last_day: last })
    .execute();
}

/** The days after `lastDay` up to a year ahead; the counts stay as they are. In the caller's transaction. */
async function extendReportCalendar(
  trx: Db,
  timeZone: string,
  lastDay: string,
  today: string,
): Promise<void> {
  const last = addDays(today, DAYS_AHEAD);
  const days = daysBetween(addDays(lastDay, 1), last, timeZone);
  for (let i = 0; i < days.length; i += CHUNK) {
    await trx
      .insertInto('report_days')
      .values(days.slice(i, i + CHUNK))
      .execute();
  }
  await trx.updateTable('report_calendar').set({ last_day: last }).where('id', '=', 1).execute();
}
