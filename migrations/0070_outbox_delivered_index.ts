import { type Kysely, sql } from 'kysely';

/**
 * Delivered mail is purged after a retention period. This index holds only the
 * delivered rows, by the time they went out, so the nightly purge finds the old
 * ones without reading the whole outbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbox_delivered_sent_at on outbox (sent_at)
    where status in ('sent', 'delivered_locally')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index outbox_delivered_sent_at`.execute(db);
}
