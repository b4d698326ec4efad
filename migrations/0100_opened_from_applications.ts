import { type Kysely, sql } from 'kysely';

/**
 * Tickets opened from the agency's other web applications (the Help
 * bookmarklet and snippet): the application's host beside the cleaned path
 * already kept in opened_from, and the names an administrator gives those
 * hosts ("Clinical record" for ehr.example).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('opened_from_host', 'text').execute();
  await db.schema
    .createTable('application_names')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('updated_by', 'integer', (c) => c.references('staff.id'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('application_names').execute();
  await db.schema.alterTable('tickets').dropColumn('opened_from_host').execute();
}
