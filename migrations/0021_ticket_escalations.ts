import type { Kysely } from 'kysely';

// A ticket sent to the escalation desk (the seed's "Send to Procentive"). One row
// per ticket: the primary key is what makes "a ticket is sent once" hold even
// when two champions press Save together. The desk's name and address are kept
// as they were when it was sent, since Settings may change them later.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_escalations')
    .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id'))
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('sent_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('desk_name', 'text', (c) => c.notNull())
    .addColumn('desk_email', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ticket_escalations').execute();
}
