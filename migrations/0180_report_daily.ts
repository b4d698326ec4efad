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
 * Each trigger's SQL is one function below, written for the store it runs on:
 * SQLite's `create trigger … begin … end`, or on PostgreSQL the same
 * statements as a PL/pgSQL function and a trigger that runs it.
 */

type Dialect = 'sqlite' | 'postgres';
type Context = { dialect: Dialect };

/** Upper limits of the duration bands, in minutes: band i holds durations under LIMITS[i]. */
const BAND_LIMITS = [15, 30, 60, 120, 240, 480, 1440, 2880, 5760, 10080, 20160, 43200, 129600];

/** Whole minutes from one timestamp (ISO 8601 text) to another; null when either is null. */
function minutes(dialect: Dialect, from: string, to: string): string {
  return dialect === 'postgres'
    ? `cast(round(extract(epoch from (${to}::timestamptz - ${from}::timestamptz)) / 60) as integer)`
    : `cast(round((julianday(${to}) - julianday(${from})) * 1440) as integer)`;
}

/** `a is not b` of SQLite, which treats nulls as equal: PostgreSQL spells it `is distinct from`. */
function differs(dialect: Dialect, a: string, b: string): string {
  return dialect === 'postgres' ? `${a} is distinct from ${b}` : `${a} is not ${b}`;
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
export function fillReportMinutes(dialect: Dialect): string {
  const complete = minutes(dialect, 'created_at', 'completed_at');
  const response = minutes(dialect, 'created_at', 'first_response_at');
  return `update ticket_report_times set
    complete_minutes = ${complete},
    complete_band = ${band(complete)},
    response_minutes = ${response},
    response_band = ${band(response)}`;
}

/** SQLite's form, for the benchmark's seeder (which writes a SQLite file). */
export const FILL_REPORT_MINUTES = fillReportMinutes('sqlite');

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
            on conflict (measure, day, priority_id, band) do update set n = report_daily.n + 1;`
        : `update report_daily set n = n - 1 where ${key.when} and ${key.match};`,
    )
    .join('\n');
}

/** A ticket's report row follows its priority, and when it became Complete (0080's statement). */
const FOLLOW_STATUS = `update ticket_report_times set
    priority_id = new.priority_id,
    completed_at = case
      when new.status <> 'complete' then null
      when old.status = 'complete' then ticket_report_times.completed_at
      else new.updated_at end
  where ticket_id = new.id;`;

interface Trigger {
  name: string;
  /** The table and event, as both stores write them. */
  on: string;
  /** A condition on `new`/`old`, or null for every row. */
  when: string | null;
  /** Statements, each ending in a semicolon. */
  body: string;
}

/** The save that changes the status sets updated_at to its own moment. */
function reportTimesTriggers(dialect: Dialect): Trigger[] {
  const complete = minutes(dialect, 'created_at', 'completed_at');
  const response = minutes(dialect, 'created_at', 'new.at');
  return [
    {
      name: 'ticket_report_times_insert',
      on: 'after insert on tickets',
      when: null,
      body: `insert into ticket_report_times (ticket_id, priority_id, created_by, created_at,
          completed_at, complete_minutes, complete_band)
        select new.id, new.priority_id, new.created_by, new.created_at, c, m, ${band('m')}
        from (select case when new.status = 'complete' then new.updated_at end as c,
          case when new.status = 'complete' then ${minutes(dialect, 'new.created_at', 'new.updated_at')} end as m) as x;`,
    },
    {
      name: 'ticket_report_times_update',
      on: 'after update of status, priority_id on tickets',
      when: null,
      body: `${FOLLOW_STATUS}
        update ticket_report_times set
          complete_minutes = ${complete},
          complete_band = ${band(complete)}
        where ticket_id = new.id and ${differs(dialect, 'complete_minutes', complete)};`,
    },
    {
      name: 'ticket_report_times_response',
      on: 'after insert on ticket_events',
      when: `new.kind = 'note' or (new.kind = 'changed' and new.field = 'Status')`,
      body: `update ticket_report_times set first_response_at = new.at,
          response_minutes = ${response},
          response_band = ${band(response)}
        where ticket_id = new.ticket_id and first_response_at is null
          and created_by <> new.staff_id;`,
    },
  ];
}

function reportDailyTriggers(dialect: Dialect): Trigger[] {
  const changed = (column: string) => differs(dialect, `old.${column}`, `new.${column}`);
  return [
    {
      name: 'report_daily_insert',
      on: 'after insert on ticket_report_times',
      when: null,
      body: count('new'),
    },
    {
      name: 'report_daily_update',
      on: 'after update on ticket_report_times',
      when: ['priority_id', 'created_at', 'completed_at', 'complete_band', 'response_band']
        .map(changed)
        .join(' or '),
      body: `${count('old')}\n${count('new')}`,
    },
    {
      name: 'report_daily_delete',
      on: 'after delete on ticket_report_times',
      when: null,
      body: count('old'),
    },
  ];
}

/** SQLite: a trigger holds its statements. PostgreSQL: a PL/pgSQL function of the same name holds them. */
async function createTrigger(db: Kysely<unknown>, dialect: Dialect, t: Trigger): Promise<void> {
  if (dialect === 'postgres') {
    await sql
      .raw(`create function ${t.name}() returns trigger language plpgsql as $$
        begin ${t.body} return null; end $$`)
      .execute(db);
    await sql
      .raw(`create trigger ${t.name} ${t.on} for each row
        ${t.when ? `when (${t.when})` : ''} execute function ${t.name}()`)
      .execute(db);
  } else {
    await sql
      .raw(`create trigger ${t.name} ${t.on} ${t.when ? `when ${t.when}` : ''} begin
        ${t.body}
      end`)
      .execute(db);
  }
}

async function dropTrigger(
  db: Kysely<unknown>,
  dialect: Dialect,
  [name, table]: readonly [string, string],
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`drop trigger ${sql.id(name)} on ${sql.table(table)}`.execute(db);
    await sql`drop function ${sql.id(name)}()`.execute(db);
  } else {
    await sql`drop trigger ${sql.id(name)}`.execute(db);
  }
}

/** PostgreSQL keeps no `without rowid`: its tables are heaps either way. */
function withoutRowid(dialect: Dialect) {
  return dialect === 'postgres' ? sql`` : sql`without rowid`;
}

export async function up(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  for (const trigger of [
    ['ticket_report_times_response', 'ticket_events'],
    ['ticket_report_times_update', 'tickets'],
    ['ticket_report_times_insert', 'tickets'],
  ] as const) {
    await dropTrigger(db, dialect, trigger);
  }
  for (const column of ['complete_minutes', 'complete_band', 'response_minutes', 'response_band']) {
    await db.schema.alterTable('ticket_report_times').addColumn(column, 'integer').execute();
  }
  await sql.raw(fillReportMinutes(dialect)).execute(db);

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
  ) ${withoutRowid(dialect)}`.execute(db);
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
  ) ${withoutRowid(dialect)}`.execute(db);

  for (const trigger of [...reportTimesTriggers(dialect), ...reportDailyTriggers(dialect)]) {
    await createTrigger(db, dialect, trigger);
  }
}

export async function down(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  for (const trigger of [
    ['report_daily_delete', 'ticket_report_times'],
    ['report_daily_update', 'ticket_report_times'],
    ['report_daily_insert', 'ticket_report_times'],
    ['ticket_report_times_response', 'ticket_events'],
    ['ticket_report_times_update', 'tickets'],
    ['ticket_report_times_insert', 'tickets'],
  ] as const) {
    await dropTrigger(db, dialect, trigger);
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
  for (const trigger of TRIGGERS_0080) await createTrigger(db, dialect, trigger);
}

const TRIGGERS_0080: Trigger[] = [
  {
    name: 'ticket_report_times_insert',
    on: 'after insert on tickets',
    when: null,
    body: `insert into ticket_report_times (ticket_id, priority_id, created_by, created_at, completed_at)
      values (new.id, new.priority_id, new.created_by, new.created_at,
        case when new.status = 'complete' then new.updated_at end);`,
  },
  {
    name: 'ticket_report_times_update',
    on: 'after update of status, priority_id on tickets',
    when: null,
    body: FOLLOW_STATUS,
  },
  {
    name: 'ticket_report_times_response',
    on: 'after insert on ticket_events',
    when: `new.kind = 'note' or (new.kind = 'changed' and new.field = 'Status')`,
    body: `update ticket_report_times set first_response_at = new.at
      where ticket_id = new.ticket_id and first_response_at is null
        and created_by <> new.staff_id;`,
  },
];
