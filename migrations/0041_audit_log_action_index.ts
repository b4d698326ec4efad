import type { Kysely } from 'kysely';

// The audit log page filters by kind of action and lists the kinds; with years
// of rows both need an index (the others, staff and ticket, came with 0002).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('audit_log_action')
    .on('audit_log')
    .columns(['action', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_log_action').execute();
}
