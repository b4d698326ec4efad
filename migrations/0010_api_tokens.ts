import { type Kysely, sql } from 'kysely';

// API tokens for the automation API. Only a SHA-256 of each token is kept: a
// leaked table holds no usable token. Each token has its own automation
// identity (a staff row that never signs in), so tickets it creates keep a
// real creator and the timeline names it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    /** Lower-cased name: two live tokens cannot share a name, whatever the case. */
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('created_by', 'integer', (c) => c.references('staff.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('last_used_ip', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'integer', (c) => c.references('staff.id'))
    .execute();
  await db.schema
    .createIndex('api_tokens_live_name')
    .on('api_tokens')
    .column('name_key')
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
  await db.schema.createIndex('api_tokens_staff').on('api_tokens').column('staff_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute();
}
