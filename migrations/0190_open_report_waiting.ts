import { type Kysely, sql } from 'kysely';

/**
 * The Reports page's "past response target" now leaves out time spent in
 * Waiting, so it reads `waiting_since` and `waited_seconds` of each open
 * ticket. They join the open-report index, which stays covering: the page
 * still reads no ticket row (each carries its encrypted description).
 *
 * Plain SQL that SQLite and PostgreSQL both accept.
 */
const OPEN = sql`('new', 'in_progress', 'waiting')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tickets_open_report').execute();
  await sql`create index tickets_open_report
    on tickets (status, priority_id, created_at, assignee_id, due_date, created_by,
      waiting_since, waited_seconds)
    where status in ${OPEN}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tickets_open_report').execute();
  await sql`create index tickets_open_report
    on tickets (status, priority_id, created_at, assignee_id, due_date, created_by)
    where status in ${OPEN}`.execute(db);
}
