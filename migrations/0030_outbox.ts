import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they import nothing from src and use Kysely<unknown>.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every notification is a row here, written in the same transaction as the change
  // that caused it; a worker sends it later, outside any transaction.
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient_staff_id', 'integer', (c) => c.references('staff.id'))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('queued', 'sending', 'sent', 'retrying', 'dead', 'delivered_locally')`,
        ),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  // The worker's "due rows": status in (queued, retrying) and next_attempt_at <= now.
  await db.schema
    .createIndex('outbox_due')
    .on('outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  // The Outbox page filtered by status, newest first.
  await db.schema.createIndex('outbox_status_id').on('outbox').columns(['status', 'id']).execute();

  // Only choices someone made are stored: no row means the kind is on.
  await db.schema
    .createTable('notification_preferences')
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pk', ['staff_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_preferences').execute();
  await db.schema.dropTable('outbox').execute();
}
