import { type Kysely, sql } from 'kysely';

/**
 * Each person's open tickets (new, in progress, waiting), counted once and kept
 * in step instead of counted on every My tickets request: assigned to them,
 * created by them, and associated with them. Triggers keep the counts, so they
 * change in the same transaction as the ticket (or association) that moves
 * them, whichever code path makes the change; a recount after every kind of
 * change is in test/repositories/open-counts.test.ts.
 *
 * SQLite triggers; a PostgreSQL store would carry the same triggers in PL/pgSQL.
 */
const OPEN = `('new', 'in_progress', 'waiting')`;

/** Makes sure a person has a row, then moves one of their counts by `delta` (an SQL expression). */
function bump(staff: string, column: string, delta: string, when = 'true'): string {
  return `insert or ignore into staff_open_counts(staff_id) select ${staff} where ${staff} is not null and (${when});
    update staff_open_counts set ${column} = ${column} + (${delta}) where staff_id = ${staff} and (${when});`;
}

const TRIGGERS = [
  `create trigger staff_open_counts_ticket_insert after insert on tickets
     when new.status in ${OPEN} begin
     ${bump('new.assignee_id', 'assigned', '1')}
     ${bump('new.created_by', 'created', '1')}
   end`,
  `create trigger staff_open_counts_ticket_delete after delete on tickets
     when old.status in ${OPEN} begin
     ${bump('old.assignee_id', 'assigned', '-1')}
     ${bump('old.created_by', 'created', '-1')}
     update staff_open_counts set associated = associated - 1
       where staff_id in (select staff_id from ticket_associated_staff where ticket_id = old.id);
   end`,
  `create trigger staff_open_counts_ticket_update after update of status, assignee_id, created_by on tickets
     when (old.status in ${OPEN}) != (new.status in ${OPEN})
       or old.assignee_id is not new.assignee_id or old.created_by != new.created_by begin
     ${bump('old.assignee_id', 'assigned', '-1', `old.status in ${OPEN}`)}
     ${bump('new.assignee_id', 'assigned', '1', `new.status in ${OPEN}`)}
     ${bump('old.created_by', 'created', '-1', `old.status in ${OPEN}`)}
     ${bump('new.created_by', 'created', '1', `new.status in ${OPEN}`)}
     update staff_open_counts
       set associated = associated + (new.status in ${OPEN}) - (old.status in ${OPEN})
       where (old.status in ${OPEN}) != (new.status in ${OPEN})
         and staff_id in (select staff_id from ticket_associated_staff where ticket_id = new.id);
   end`,
  `create trigger staff_open_counts_associated_insert after insert on ticket_associated_staff
     when exists (select 1 from tickets where id = new.ticket_id and status in ${OPEN}) begin
     ${bump('new.staff_id', 'associated', '1')}
   end`,
  `create trigger staff_open_counts_associated_delete after delete on ticket_associated_staff
     when exists (select 1 from tickets where id = old.ticket_id and status in ${OPEN}) begin
     ${bump('old.staff_id', 'associated', '-1')}
   end`,
  `create trigger staff_open_counts_associated_update after update of ticket_id, staff_id on ticket_associated_staff begin
     ${bump('old.staff_id', 'associated', '-1', `exists (select 1 from tickets where id = old.ticket_id and status in ${OPEN})`)}
     ${bump('new.staff_id', 'associated', '1', `exists (select 1 from tickets where id = new.ticket_id and status in ${OPEN})`)}
   end`,
];

/** Every count from scratch: the backfill here, and the seeder's after a bulk load. */
const RECOUNT = `
  delete from staff_open_counts;
  insert into staff_open_counts(staff_id, assigned, created, associated)
  select staff_id, sum(assigned), sum(created), sum(associated) from (
    select assignee_id as staff_id, count(*) as assigned, 0 as created, 0 as associated
      from tickets where status in ${OPEN} and assignee_id is not null group by assignee_id
    union all
    select created_by, 0, count(*), 0 from tickets where status in ${OPEN} group by created_by
    union all
    select tas.staff_id, 0, 0, count(*) from ticket_associated_staff tas
      join tickets t on t.id = tas.ticket_id where t.status in ${OPEN} group by tas.staff_id
  ) group by staff_id`;

/**
 * Partial indexes shaped like the lists: only open tickets (a small share of an
 * agency's history), by the list's filter, in the list's order (last update,
 * then number, which the rowid gives). The lists name the open statuses as
 * literals so the planner can match them (https://sqlite.org/partialindex.html).
 */
const INDEXES: [string, string][] = [
  ['tickets_open_assignee', 'assignee_id, updated_at'],
  ['tickets_open_creator', 'created_by, updated_at'],
  ['tickets_open_priority', 'priority_id, updated_at'],
  ['tickets_open_updated', 'updated_at'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // All tickets of any status by last update: walked in order down to the page
  // (and the count cap), where the (status, updated_at) index needed a sort of every ticket.
  await sql`create index tickets_updated on tickets(updated_at)`.execute(db);
  await sql`create table staff_open_counts (
    staff_id integer primary key references staff(id),
    assigned integer not null default 0,
    created integer not null default 0,
    associated integer not null default 0
  )`.execute(db);
  for (const trigger of TRIGGERS) await sql.raw(trigger).execute(db);
  for (const statement of RECOUNT.split(';')) await sql.raw(statement).execute(db);
  for (const [name, columns] of INDEXES) {
    await sql
      .raw(`create index ${name} on tickets(${columns}) where status in ${OPEN}`)
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of INDEXES) await sql.raw(`drop index ${name}`).execute(db);
  for (const name of [
    'ticket_insert',
    'ticket_delete',
    'ticket_update',
    'associated_insert',
    'associated_delete',
    'associated_update',
  ]) {
    await sql.raw(`drop trigger staff_open_counts_${name}`).execute(db);
  }
  await sql`drop table staff_open_counts`.execute(db);
  await sql`drop index tickets_updated`.execute(db);
}
