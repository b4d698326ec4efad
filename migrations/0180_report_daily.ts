import { type Kysely, sql } from 'kysely';

/**
 * Reports at a million tickets: whole minutes and per-day counts kept by
 * triggers, so a twelve-week window reads a few hundred small rows instead of
 * one row per ticket (with two timestamps to parse) handed to the app.
 *
 * - `ticket_report_times` gains each ticket's time to complete and to first
 *   response in whole minutes, and the duration band each falls in (bands
 *   from under 15 minutes to over 90 days).
 * - `report_days`: where each of the agency's days begins, as an instant. The
 *   triggers cannot know the agency's time zone, so the app writes these rows
 *   (src/reports/calendar.ts), and rebuilds `report_daily` whenever the zone
 *   changes; `report_calendar` records for which zone and days it did.
 * - `report_daily`: per agency day, priority and band, how many tickets were
 *   created (band: of their first response, -1 while none) and completed
 *   (band: of their time to complete). Kept by triggers on
 *   `ticket_report_times`, so every change to it moves the counts in the same
 *   transaction.
 *
 * Each trigger's SQL is one function below (SQLite's dialect); a PostgreSQL
 * store carries the same statements in PL/pgSQL.
 */

/** Upper limits of the duration bands, in minutes: band i holds durations under LIMITS[i]. */
const BAND_LIMITS = [15, 30, 60, 120, 240, 480, 1440, 2880, 5760, 10080, 20160, 43200, 129600];

/** Whole minutes from one timestamp to another; null when either is null. */
function minutes(from: string, to: string): string {
  return `cast(round((julianday(${to}) - julianday(${from})) * 1440) as integer)`;
}

/** The band of a whole number of minutes; null stays null. */
function band(value: string): string {
  const whens = BAND_LIMITS.map((limit, i) => `when ${value} < ${limit} then ${i}`).join(' ');
  return `case when ${value} is null then null ${whens} else ${BAND_LIMITS.length} end`;
}

/** The agency day an instant falls in ('' when report_days does not reach it yet). */
function dayOf(instant: string): string {
  return `coalesce((select day from report_days where starts_at <= ${instant}
    order by starts_at desc limit 1), '')`;
}

/** What the four new columns hold, from the row's own timestamps. */
export const FILL_REPORT_MINUTES = `update ticket_report_times set
    complete_minutes = ${minutes('created_at', 'completed_at')},
    complete_band = ${band(minutes('created_at', 'completed_at'))},
    response_minutes = ${minutes('created_at', 'first_response_at')},
    response_band = ${band(minutes('created_at', 'first_response_at'))}`;

/** The two counts a report_times row adds to: created on its day, completed on its day. */
function keysOf(row: 'new' | 'old') {
  return [
    {
      when: 'true',
      values: `1, ${dayOf(`${row}.created_at`)}, ${row}.priority_id, coalesce(${row}.response_band, -1)`,
      match: `measure = 1 and day = ${dayOf(`${row}.created_at`)} and priority_id = ${row}.priority_id
        and band = coalesce(${row}.response_band, -1)`,
    },
    {
      when: `${row}.completed_at is not null and ${row}.complete_band is not null`,
      values: `2, ${dayOf(`${row}.completed_at`)}, ${row}.priority_id, ${row}.complete_band`,
      match: `measure = 2 and day = ${dayOf(`${row}.completed_at`)} and priority_id = ${row}.priority_id
        and band = ${row}.complete_band`,
    },
  ];
}

/** Moves a report_times row's counts by one: up for `new`, down for `old`. */
function count(row: 'new' | 'old'): string {
  return keysOf(row)
    .map((key) =>
      row === 'new'
        ? `insert into report_daily (measure, day, priority_id, band, n)
            select ${key.values}, 1 where ${key.when}
            on conflict (measure, day, priority_id, band) do update set n = n + 1;`
        : `update report_daily set n = n - 1 where ${key.when} and ${key.match};`,
    )
    .join('\n');
}

function reportTimesInsertTrigger(): string {
  return `create trigger ticket_report_times_insert after insert on tickets begin
    insert into ticket_report_times (ticket_id, priority_id, created_by, created_at,
      completed_at, complete_minutes, complete_band)
    select new.id, new.priority_id, new.created_by, new.created_at, c, m, ${band('m')}
    from (select case when new.status = 'complete' then new.updated_at end as c,
      case when new.status = 'complete' then ${minutes('new.created_at', 'new.updated_at')} end as m);
  end`;
}

/** The save that changes the status sets updated_at to its own moment. */
function reportTimesUpdateTrigger(): string {
  return `create trigger ticket_report_times_update
    after update of status, priority_id on tickets begin
    update ticket_report_times set
      priority_id = new.priority_id,
      completed_at = case
        when new.status <> 'complete' then null
        when old.status = 'complete' then completed_at
        else new.updated_at end
    where ticket_id = new.id;
    update ticket_report_times set
      complete_minutes = ${minutes('created_at', 'completed_at')},
      complete_band = ${band(minutes('created_at', 'completed_at'))}
    where ticket_id = new.id and complete_minutes is not ${minutes('created_at', 'completed_at')};
  end`;
}

function reportTimesResponseTrigger(): string {
  return `create trigger ticket_report_times_response after insert on ticket_events
    when new.kind = 'note' or (new.kind = 'changed' and new.field = 'Status') begin
    update ticket_report_times set first_response_at = new.at,
      response_minutes = ${minutes('created_at', 'new.at')},
      response_band = ${band(minutes('created_at', 'new.at'))}
    where ticket_id = new.ticket_id and first_response_at is null
      and created_by <> new.staff_id;
  end`;
}

function reportDailyInsertTrigger(): string {
  return `create trigger report_daily_insert after insert on ticket_report_times begin
    ${count('new')}
  end`;
}

function reportDailyUpdateTrigger(): string {
  return `create trigger report_daily_update after update on ticket_report_times
    when old.priority_id is not new.priority_id or old.created_at is not new.created_at
      or old.completed_at is not new.completed_at or old.complete_band is not new.complete_band
      or old.response_band is not new.response_band begin
    ${count('old')}
    ${count('new')}
  end`;
}

function reportDailyDeleteTrigger(): string {
  return `create trigger report_daily_delete after delete on ticket_report_times begin
    ${count('old')}
  end`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const trigger of [
    'ticket_report_times_response',
    'ticket_report_times_update',
    'ticket_report_times_insert',
  ]) {
    await sql`drop trigger ${sql.id(trigger)}`.execute(db);
  }
  for (const column of ['complete_minutes', 'complete_band', 'response_minutes', 'response_band']) {
    await db.schema.alterTable('ticket_report_times').addColumn(column, 'integer').execute();
  }
  await sql.raw(FILL_REPORT_MINUTES).execute(db);

  // The window's rows by when, now covering the bands instead of a timestamp to parse.
  await db.schema.dropIndex('ticket_report_times_created').execute();
  await db.schema.dropIndex('ticket_report_times_completed').execute();
  await db.schema
    .createIndex('ticket_report_times_created')
    .on('ticket_report_times')
    .columns(['created_at', 'priority_id', 'created_by', 'response_band'])
    .execute();
  await db.schema
    .createIndex('ticket_report_times_completed')
    .on('ticket_report_times')
    .columns(['completed_at', 'priority_id', 'created_by', 'complete_band'])
    .where(sql.ref('completed_at'), 'is not', null)
    .execute();
  // One band's rows of one priority in a window, in order of minutes: the exact
  // median and 90th percentile once the counts have found the band.
  await db.schema
    .createIndex('ticket_report_times_complete_band')
    .on('ticket_report_times')
    .columns(['priority_id', 'complete_band', 'completed_at', 'complete_minutes', 'created_by'])
    .where(sql.ref('completed_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('ticket_report_times_response_band')
    .on('ticket_report_times')
    .columns(['priority_id', 'response_band', 'created_at', 'response_minutes', 'created_by'])
    .where(sql.ref('response_band'), 'is not', null)
    .execute();

  await sql`create table report_days (
    starts_at text primary key,
    day text not null
  ) without rowid`.execute(db);
  await sql`create table report_calendar (
    id integer primary key check (id = 1),
    time_zone text not null,
    first_day text not null,
    last_day text not null
  )`.execute(db);
  await sql`create table report_daily (
    measure integer not null,
    day text not null,
    priority_id integer not null,
    band integer not null,
    n integer not null,
    primary key (measure, day, priority_id, band)
  ) without rowid`.execute(db);

  for (const trigger of [
    reportTimesInsertTrigger(),
    reportTimesUpdateTrigger(),
    reportTimesResponseTrigger(),
    reportDailyInsertTrigger(),
    reportDailyUpdateTrigger(),
    reportDailyDeleteTrigger(),
  ]) {
    await sql.raw(trigger).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const trigger of [
    'report_daily_delete',
    'report_daily_update',
    'report_daily_insert',
    'ticket_report_times_response',
    'ticket_report_times_update',
    'ticket_report_times_insert',
  ]) {
    await sql`drop trigger ${sql.id(trigger)}`.execute(db);
  }
  await sql`drop table report_daily`.execute(db);
  await sql`drop table report_calendar`.execute(db);
  await sql`drop table report_days`.execute(db);
  await db.schema.dropIndex('ticket_report_times_response_band').execute();
  await db.schema.dropIndex('ticket_report_times_complete_band').execute();
  await db.schema.dropIndex('ticket_report_times_created').execute();
  await db.schema.dropIndex('ticket_report_times_completed').execute();
  for (const column of ['complete_minutes', 'complete_band', 'response_minutes', 'response_band']) {
    await db.schema.alterTable('ticket_report_times').dropColumn(column).execute();
  }
  await db.schema
    .createIndex('ticket_report_times_created')
    .on('ticket_report_times')
    .columns(['created_at', 'priority_id', 'created_by', 'first_response_at'])
    .execute();
  await db.schema
    .createIndex('ticket_report_times_completed')
    .on('ticket_report_times')
    .columns(['completed_at', 'priority_id', 'created_by', 'created_at'])
    .where(sql.ref('completed_at'), 'is not', null)
    .execute();
  // The triggers of migration 0080, as they were.
  await sql`create trigger ticket_report_times_insert after insert on tickets begin
    insert into ticket_report_times (ticket_id, priority_id, created_by, created_at, completed_at)
    values (new.id, new.priority_id, new.created_by, new.created_at,
      case when new.status = 'complete' then new.updated_at end);
  end`.execute(db);
  await sql`create trigger ticket_report_times_update
    after update of status, priority_id on tickets begin
    update ticket_report_times set
      priority_id = new.priority_id,
      completed_at = case
        when new.status <> 'complete' then null
        when old.status = 'complete' then completed_at
        else new.updated_at end
    where ticket_id = new.id;
  end`.execute(db);
  await sql`create trigger ticket_report_times_response after insert on ticket_events
    when new.kind = 'note' or (new.kind = 'changed' and new.field = 'Status') begin
    update ticket_report_times set first_response_at = new.at
    where ticket_id = new.ticket_id and first_response_at is null
      and created_by <> new.staff_id;
  end`.execute(db);
}
