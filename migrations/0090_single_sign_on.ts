import { type Kysely, sql } from 'kysely';

// Single sign-on through one OpenID Connect provider (Entra ID, Google, Okta).
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row at most: the agency has one provider. The client secret is
  // encrypted with the agency key, like PHI, so key rotation moves it too.
  await db.schema
    .createTable('sso_provider')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    // Password sign-in refused for everyone but the break-glass administrator.
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('break_glass_staff_id', 'integer', (c) => c.references('staff.id'))
    // People from this email domain with no account get one, with this role.
    .addColumn('create_domain', 'text')
    .addColumn('create_role_id', 'integer', (c) => c.references('roles.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('staff.id'))
    .execute();

  // The provider's subject for a person, remembered at their first sign-in, so
  // a later change of email address at the provider still finds them.
  await db.schema
    .createTable('staff_sso_identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_sso_identities_pk', ['issuer', 'subject'])
    .execute();

  // Sessions begun through the provider: hushdesk's own second factor is not
  // asked of them (the provider's policy holds). Gone with the session.
  await db.schema
    .createTable('sso_sessions')
    .addColumn('session_id', 'text', (c) =>
      c.primaryKey().references('sessions.id').onDelete('cascade'),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_sessions').execute();
  await db.schema.dropTable('staff_sso_identities').execute();
  await db.schema.dropTable('sso_provider').execute();
}
