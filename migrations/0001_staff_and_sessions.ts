import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they import nothing from src and use Kysely<unknown>.
const PERMISSIONS = {
  admin: [
    'manage_staff',
    'manage_settings',
    'see_all_tickets',
    'send_to_desk',
    'view_audit_log',
    'manage_api_tokens',
  ],
  champion: ['see_all_tickets', 'send_to_desk'],
  staff: [],
  external: [],
} as const;

const ROLE_NAMES = {
  admin: 'Administrator',
  champion: 'Champion',
  staff: 'Staff',
  external: 'External support',
} as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('roles')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('key', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('role_permissions')
    .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_permissions_pk', ['role_id', 'permission'])
    .execute();

  await db.schema
    .createTable('staff')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id'))
    .addColumn('department', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_staff_id').on('sessions').column('staff_id').execute();

  await db.schema
    .createTable('setup_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  const now = new Date().toISOString();
  for (const [key, name] of Object.entries(ROLE_NAMES)) {
    await sql`insert into roles (key, name, created_at) values (${key}, ${name}, ${now})`.execute(
      db,
    );
    for (const permission of PERMISSIONS[key as keyof typeof PERMISSIONS]) {
      await sql`insert into role_permissions (role_id, permission)
        select id, ${permission} from roles where key = ${key}`.execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['setup_tokens', 'sessions', 'staff', 'role_permissions', 'roles']) {
    await db.schema.dropTable(table).execute();
  }
}
