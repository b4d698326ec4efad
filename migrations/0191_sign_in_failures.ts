import type { Kysely } from 'kysely';

/**
 * Failed sign-ins per throttle key (a username or an address), in the store
 * rather than in one process's memory, so that two processes behind one address
 * slow a guesser down together. The key is a hash: the table names no one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'text', (c) => c.notNull())
    .execute();
  // Forgetting old failures walks this index.
  await db.schema
    .createIndex('sign_in_failures_last')
    .on('sign_in_failures')
    .column('last_failure_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sign_in_failures').execute();
}
