import { type Kysely, sql } from 'kysely';

/**
 * One-time tokens for the ticket window: each window carries one, and the
 * ticket it made is kept beside it, so a double click or a repeated post of the
 * same window answers with that ticket instead of making a second one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_form_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .execute();
  await db.schema
    .createIndex('ticket_form_tokens_created_at')
    .on('ticket_form_tokens')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ticket_form_tokens').execute();
}
