import { type Kysely, sql } from 'kysely';

/**
 * Reports: the "see reports" permission for Administrators and Champions, and
 * what lets the Reports page answer at a million tickets without reading ticket
 * rows (each carries its encrypted description, so a row read is a page read).
 *
 * - `ticket_report_times`: one narrow row per ticket, kept by triggers, with
 *   the two moments the timeline alone would make expensive to find: the first
 *   response (a note or status change by someone other than the creator) and
 *   when the ticket became Complete.
 * - A partial index over open tickets that answers every "open now" figure.
 * - An index on when tickets were sent to the escalation desk.
 *
 * The timeline records a status change as kind 'changed', field 'Status', with
 * the status's label ('Complete') as its new value.
 */
const OPEN = sql`('new', 'in_progress', 'waiting')`;

/**
 * Fills ticket_report_times from the tickets and their timelines as they are.
 * Exported for the benchmark's seeder, which writes tickets with the triggers off.
 */
export const FILL_REPORT_TIMES = `insert into ticket_report_times
      (ticket_id, priority_id, created_by, created_at, first_response_at, completed_at)
    select t.id, t.priority_id, t.created_by, t.created_at,
      (select min(e.at) from ticket_events e
        where e.ticket_id = t.id and e.staff_id <> t.created_by
          and (e.kind = 'note' or (e.kind = 'changed' and e.field = 'Status'))),
      case when t.status = 'complete' then coalesce(
        (select max(e.at) from ticket_events e
          where e.ticket_id = t.id and e.kind = 'changed' and e.field = 'Status'
            and e.new_value = 'Complete'),
        t.updated_at) end
    from tickets t`;

type Context = { dialect: 'sqlite' | 'postgres' };

/** The three triggers in PL/pgSQL: the same statements as SQLite's below, one function each. */
const POSTGRES_TRIGGERS: [name: string, on: string, body: string][] = [
  [
    'ticket_report_times_insert',
    'after insert on tickets for each row',
    `insert into ticket_report_times (ticket_id, priority_id, created_by, created_at, completed_at)
      values (new.id, new.priority_id, new.created_by, new.created_at,
        case when new.status = 'complete' then new.updated_at end);`,
  ],
  [
    'ticket_report_times_update',
    'after update of status, priority_id on tickets for each row',
    `update ticket_report_times set
        priority_id = new.priority_id,
        completed_at = case
          when new.status <> 'complete' then null
          when old.status = 'complete' then ticket_report_times.completed_at
          else new.updated_at end
      where ticket_id = new.id;`,
  ],
  [
    'ticket_report_times_response',
    `after insert on ticket_events for each row
      when (new.kind = 'note' or (new.kind = 'changed' and new.field = 'Status'))`,
    `update ticket_report_times set first_response_at = new.at
      where ticket_id = new.ticket_id and first_response_at is null
        and created_by <> new.staff_id;`,
  ],
];

export async function up(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  // `on conflict do nothing` is both stores' `insert or ignore`.
  await sql`insert into role_permissions (role_id, permission)
    select id, 'see_reports' from roles where key in ('admin', 'champion')
    on conflict do nothing`.execute(db);

  await db.schema
    .createTable('ticket_report_times')
    .addColumn('ticket_id', 'integer', (c) =>
      c.primaryKey().references('tickets.id').onDelete('cascade'),
    )
    .addColumn('priority_id', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('first_response_at', 'text')
    .addColumn('completed_at', 'text')
    .execute();

  await sql.raw(FILL_REPORT_TIMES).execute(db);

  if (dialect === 'postgres') {
    for (const [name, on, body] of POSTGRES_TRIGGERS) {
      await sql
        .raw(`create function ${name}() returns trigger language plpgsql as $$
          begin ${body} return null; end $$`)
        .execute(db);
      await sql.raw(`create trigger ${name} ${on} execute function ${name}()`).execute(db);
    }
  } else {
    await createSqliteTriggers(db);
  }
  await createIndexes(db);
}

async function createSqliteTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger ticket_report_times_insert after insert on tickets begin
    insert into ticket_report_times (ticket_id, priority_id, created_by, created_at, completed_at)
    values (new.id, new.priority_id, new.created_by, new.created_at,
      case when new.status = 'complete' then new.updated_at end);
  end`.execute(db);
  // The save that changes the status sets updated_at to its own moment.
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

async function createIndexes(db: Kysely<unknown>): Promise<void> {
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
  // Status and priority lead, as the queries ask for them by equality; the rest
  // make it covering, so no ticket row is read.
  await sql`create index tickets_open_report
    on tickets (status, priority_id, created_at, assignee_id, due_date, created_by)
    where status in ${OPEN}`.execute(db);
  await db.schema
    .createIndex('ticket_escalations_sent')
    .on('ticket_escalations')
    .columns(['sent_at'])
    .execute();
}

export async function down(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  await db.schema.dropIndex('ticket_escalations_sent').execute();
  await db.schema.dropIndex('tickets_open_report').execute();
  for (const [trigger, table] of [
    ['ticket_report_times_response', 'ticket_events'],
    ['ticket_report_times_update', 'tickets'],
    ['ticket_report_times_insert', 'tickets'],
  ] as const) {
    if (dialect === 'postgres') {
      await sql`drop trigger ${sql.id(trigger)} on ${sql.table(table)}`.execute(db);
      await sql`drop function ${sql.id(trigger)}()`.execute(db);
    } else {
      await sql`drop trigger ${sql.id(trigger)}`.execute(db);
    }
  }
  await db.schema.dropTable('ticket_report_times').execute();
  await sql`delete from role_permissions where permission = 'see_reports'`.execute(db);
}
