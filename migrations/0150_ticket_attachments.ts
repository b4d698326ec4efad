import type { Kysely } from 'kysely';

/** Which store runs the migration; the PostgreSQL store passes it in. */
type Context = { dialect?: 'sqlite' | 'postgres' };

/** The one type that differs between the stores: raw bytes. */
function bytesType(context: Context | undefined): 'blob' | 'bytea' {
  return context?.dialect === 'postgres' ? 'bytea' : 'blob';
}

/**
 * Files attached to tickets and notes, kept in the store itself so that one
 * backup (or one PostgreSQL database) carries everything. `name`, `data` and
 * `thumbnail` are encrypted with the PHI key; `content_type`, `kind` and
 * `size` are what the server detected and holds no PHI.
 */
export async function up(db: Kysely<unknown>, context?: Context): Promise<void> {
  const bytes = bytesType(context);
  await db.schema
    .createTable('ticket_attachments')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('note_id', 'integer', (c) => c.references('ticket_notes.id'))
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('thumbnail', bytes)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ticket_attachments_ticket')
    .on('ticket_attachments')
    .columns(['ticket_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ticket_attachments').execute();
}
