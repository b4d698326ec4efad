import { type Kysely, sql } from 'kysely';

/**
 * Related tickets, merged duplicates, and response targets that pause while a
 * ticket waits:
 *
 * - `ticket_links`: one row per link. `related` says nothing about direction;
 *   `waiting_on` means `ticket_id` waits on `linked_id` (its parent, typically
 *   the ticket sent to the outside desk).
 * - `tickets.merged_into`: set when a ticket was merged into another (it is
 *   Cancelled then); the merged ticket still opens and says where it went.
 * - `tickets.waiting_since` / `waited_seconds`: when the ticket entered Waiting
 *   (null when it is not waiting) and the Waiting time before that, so the
 *   response target counts only the time that counts. The application keeps
 *   them with the status (no trigger), so the same code serves any store.
 * - The "merge tickets" permission, for Administrators and Champions.
 *
 * Plain SQL that SQLite and PostgreSQL both accept, through the schema builder.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_links')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('linked_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('related', 'waiting_on')`))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('ticket_links_pair', ['ticket_id', 'linked_id'])
    .execute();
  await db.schema
    .createIndex('ticket_links_linked')
    .on('ticket_links')
    .columns(['linked_id'])
    .execute();

  await db.schema
    .alterTable('tickets')
    .addColumn('merged_into', 'integer', (c) => c.references('tickets.id'))
    .execute();
  await db.schema.alterTable('tickets').addColumn('waiting_since', 'text').execute();
  await db.schema
    .alterTable('tickets')
    .addColumn('waited_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('tickets_merged_into')
    .on('tickets')
    .columns(['merged_into'])
    .where(sql.ref('merged_into'), 'is not', null)
    .execute();
  // Tickets waiting now: the last change is the best moment known for when they began to.
  await sql`update tickets set waiting_since = updated_at where status = 'waiting'`.execute(db);

  await sql`insert into role_permissions (role_id, permission)
    select id, 'merge_tickets' from roles where key in ('admin', 'champion')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from role_permissions where permission = 'merge_tickets'`.execute(db);
  await db.schema.dropIndex('tickets_merged_into').execute();
  await db.schema.alterTable('tickets').dropColumn('waited_seconds').execute();
  await db.schema.alterTable('tickets').dropColumn('waiting_since').execute();
  await db.schema.alterTable('tickets').dropColumn('merged_into').execute();
  await db.schema.dropIndex('ticket_links_linked').execute();
  await db.schema.dropTable('ticket_links').execute();
}
