import type { Kysely } from 'kysely';

// A second factor at sign-in (TOTP, RFC 6238) with single-use recovery codes.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One authenticator per person. The secret is encrypted with the PHI key;
  // confirmed_at stays null until the person has typed one code from it.
  await db.schema
    .createTable('staff_two_factor')
    .addColumn('staff_id', 'integer', (c) =>
      c.primaryKey().references('staff.id').onDelete('cascade'),
    )
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    // The last 30-second step a code was accepted for: no code works twice.
    .addColumn('last_step', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('staff_recovery_codes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema
    .createIndex('staff_recovery_codes_staff')
    .on('staff_recovery_codes')
    .column('staff_id')
    .execute();

  // Between a right password and a right code: not a session, it opens no page.
  await db.schema
    .createTable('pending_sign_ins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('next', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['pending_sign_ins', 'staff_recovery_codes', 'staff_two_factor']) {
    await db.schema.dropTable(table).execute();
  }
}
