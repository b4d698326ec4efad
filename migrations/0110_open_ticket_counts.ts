import { type Kysely, sql } from 'kysely';

/**
 * Each person's open tickets (new, in progress, waiting), counted once and kept
 * in step instead of counted on every My tickets request: assigned to them,
 * created by them, and associated with them. Triggers keep the counts, so they
 * change in the same transaction as the ticket (or association) that moves
 * them, whichever code path makes the change; a recount after every kind of
 * change is in test/repositories/open-counts.test.ts.
 *
 * SQLite triggers below; PostgreSQL's do the same in PL/pgSQL (POSTGRES_TRIGGERS).
 */
type Context = { dialect: 'sqlite' | 'postgres' };

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

/**
 * PostgreSQL: one function moves a count (making the row first), one trigger
 * function per table decides which counts move. A ticket's deletion is counted
 * BEFORE it happens: its associations go with it by cascade, which PostgreSQL
 * runs before any trigger of ours would run after the delete.
 */
const POSTGRES_TRIGGERS = [
  `create function staff_open_counts_bump(who integer, counted text, delta integer)
     returns void language plpgsql as $$
     begin
       if who is null then return; end if;
       insert into staff_open_counts(staff_id) values (who) on conflict do nothing;
       update staff_open_counts set
         assigned = assigned + case when counted = 'assigned' then delta else 0 end,
         created = created + case when counted = 'created' then delta else 0 end,
         associated = associated + case when counted = 'associated' then delta else 0 end
       where staff_id = who;
     end $$`,
  `create function staff_open_counts_ticket() returns trigger language plpgsql as $$
     declare
       was_open boolean := false;
       is_open boolean := false;
       ticket integer;
     begin
       if tg_op <> 'INSERT' then was_open := old.status in ${OPEN}; ticket := old.id; end if;
       if tg_op <> 'DELETE' then is_open := new.status in ${OPEN}; ticket := new.id; end if;
       if tg_op = 'UPDATE' and was_open = is_open
         and old.assignee_id is not distinct from new.assignee_id
         and old.created_by = new.created_by then
         return null;
       end if;
       if was_open then
         perform staff_open_counts_bump(old.assignee_id, 'assigned', -1);
         perform staff_open_counts_bump(old.created_by, 'created', -1);
       end if;
       if is_open then
         perform staff_open_counts_bump(new.assignee_id, 'assigned', 1);
         perform staff_open_counts_bump(new.created_by, 'created', 1);
       end if;
       if was_open <> is_open then
         update staff_open_counts
           set associated = associated + case when is_open then 1 else -1 end
           where staff_id in (select staff_id from ticket_associated_staff where ticket_id = ticket);
       end if;
       if tg_op = 'DELETE' then return old; end if;
       return null;
     end $$`,
  `create trigger staff_open_counts_ticket_delete before delete on tickets
     for each row execute function staff_open_counts_ticket()`,
  `create trigger staff_open_counts_ticket_change
     after insert or update of status, assignee_id, created_by on tickets
     for each row execute function staff_open_counts_ticket()`,
  `create function staff_open_counts_associated() returns trigger language plpgsql as $$
     begin
       if tg_op <> 'INSERT'
         and exists (select 1 from tickets where id = old.ticket_id and status in ${OPEN}) then
         perform staff_open_counts_bump(old.staff_id, 'associated', -1);
       end if;
       if tg_op <> 'DELETE'
         and exists (select 1 from tickets where id = new.ticket_id and status in ${OPEN}) then
         perform staff_open_counts_bump(new.staff_id, 'associated', 1);
       end if;
       return null;
     end $$`,
  `create trigger staff_open_counts_associated
     after insert or delete or update of ticket_id, staff_id on ticket_associated_staff
     for each row execute function staff_open_counts_associated()`,
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
  ) as counts group by staff_id`;

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

export async function up(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  // All tickets of any status by last update: walked in order down to the page
  // (and the count cap), where the (status, updated_at) index needed a sort of every ticket.
  await sql`create index tickets_updated on tickets(updated_at)`.execute(db);
  await sql`create table staff_open_counts (
    staff_id integer primary key references staff(id),
    assigned integer not null default 0,
    created integer not null default 0,
    associated integer not null default 0
  )`.execute(db);
  for (const trigger of dialect === 'postgres' ? POSTGRES_TRIGGERS : TRIGGERS) {
    await sql.raw(trigger).execute(db);
  }
  for (const statement of RECOUNT.split(';')) await sql.raw(statement).execute(db);
  for (const [name, columns] of INDEXES) {
    await sql
      .raw(`create index ${name} on tickets(${columns}) where status in ${OPEN}`)
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  for (const [name] of INDEXES) await sql.raw(`drop index ${name}`).execute(db);
  if (dialect === 'postgres') {
    await sql`drop trigger staff_open_counts_ticket_delete on tickets`.execute(db);
    await sql`drop trigger staff_open_counts_ticket_change on tickets`.execute(db);
    await sql`drop trigger staff_open_counts_associated on ticket_associated_staff`.execute(db);
    for (const name of ['ticket()', 'associated()', 'bump(integer, text, integer)']) {
      await sql.raw(`drop function staff_open_counts_${name}`).execute(db);
    }
    await sql`drop table staff_open_counts`.execute(db);
    await sql`drop index tickets_updated`.execute(db);
    return;
  }
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
