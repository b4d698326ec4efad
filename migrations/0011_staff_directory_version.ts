import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they import nothing from src and use Kysely<unknown>.

type Context = { dialect: 'sqlite' | 'postgres' };

/**
 * Quick search keeps the active staff in memory, folded for matching. This one
 * row says when that copy is stale: the store bumps it on every change to a staff
 * member's name, username, department, role or active flag, and on a role
 * rename, whoever makes the change (the app, the CLI, a seeder or a test).
 */
export async function up(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  await db.schema
    .createTable('staff_directory_version')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into staff_directory_version (id, version) values (1, 0)`.execute(db);

  if (dialect === 'postgres') {
    // One function for the four triggers; `after update of` fires, as on SQLite,
    // whenever a statement sets one of the columns.
    await sql`create function staff_directory_bump() returns trigger language plpgsql as $$
      begin
        update staff_directory_version set version = version + 1 where id = 1;
        return null;
      end $$`.execute(db);
    const pgTriggers = [
      'staff_directory_after_insert after insert on staff',
      'staff_directory_after_update after update of name, username, department, role_id, active on staff',
      'staff_directory_after_delete after delete on staff',
      'staff_directory_after_role_rename after update of name on roles',
    ];
    for (const trigger of pgTriggers) {
      await sql
        .raw(`create trigger ${trigger} for each statement execute function staff_directory_bump()`)
        .execute(db);
    }
    return;
  }
  const bump = 'update staff_directory_version set version = version + 1 where id = 1;';
  const triggers = [
    `create trigger staff_directory_after_insert after insert on staff begin ${bump} end`,
    `create trigger staff_directory_after_update
       after update of name, username, department, role_id, active on staff begin ${bump} end`,
    `create trigger staff_directory_after_delete after delete on staff begin ${bump} end`,
    `create trigger staff_directory_after_role_rename after update of name on roles begin ${bump} end`,
  ];
  for (const trigger of triggers) await sql.raw(trigger).execute(db);
}

export async function down(db: Kysely<unknown>, { dialect }: Context): Promise<void> {
  const tables = { insert: 'staff', update: 'staff', delete: 'staff', role_rename: 'roles' };
  for (const [name, table] of Object.entries(tables)) {
    const on = dialect === 'postgres' ? ` on ${table}` : '';
    await sql.raw(`drop trigger staff_directory_after_${name}${on}`).execute(db);
  }
  if (dialect === 'postgres') await sql`drop function staff_directory_bump()`.execute(db);
  await db.schema.dropTable('staff_directory_version').execute();
}
