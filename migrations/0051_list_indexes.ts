import type { Kysely } from 'kysely';

/**
 * Indexes that let the ticket lists filter and count without reading ticket
 * rows (each carries its encrypted description, so a row read is a page read):
 * "Created by me" counts its open tickets from the index, as "Assigned to me"
 * already did, and All tickets filtered by status and priority (the most used
 * filter) finds and orders its tickets in one index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tickets_creator').execute();
  await db.schema
    .createIndex('tickets_creator')
    .on('tickets')
    .columns(['created_by', 'status', 'updated_at'])
    .execute();
  await db.schema
    .createIndex('tickets_status_priority_updated')
    .on('tickets')
    .columns(['status', 'priority_id', 'updated_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tickets_status_priority_updated').execute();
  await db.schema.dropIndex('tickets_creator').execute();
  await db.schema
    .createIndex('tickets_creator')
    .on('tickets')
    .columns(['created_by', 'updated_at'])
    .execute();
}
