import { type Kysely, sql } from 'kysely';

/**
 * A lease on each outbox row being sent. Several hushdesk processes may share
 * one PostgreSQL store: a worker claims rows (skipping rows another worker has
 * locked) and holds them until `lease_expires_at`. A row still `sending` after
 * its lease ended belongs to a process that died, and any worker takes it over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('lease_expires_at', 'text').execute();
  // Rows a crash left sending before this column existed: their lease is over.
  await sql`update outbox set lease_expires_at = next_attempt_at where status = 'sending'`.execute(
    db,
  );
  await db.schema
    .createIndex('outbox_lease')
    .on('outbox')
    .columns(['status', 'lease_expires_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_lease').execute();
  await db.schema.alterTable('outbox').dropColumn('lease_expires_at').execute();
}
