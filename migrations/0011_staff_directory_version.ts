import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they import nothing from src and use Kysely<unknown>.

/**
 * Quick search keeps the active staff in memory, folded for matching. This one
 * row says when that copy is stale: SQLite bumps it on every change to a staff
 * member's name, username, department, role or active flag, and on a role
 * rename, whoever makes the change (the app, the CLI, a seeder or a test).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('staff_directory_version')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into staff_directory_version (id, version) values (1, 0)`.execute(db);

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

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of ['insert', 'update', 'delete', 'role_rename']) {
    await sql.raw(`drop trigger staff_directory_after_${name}`).execute(db);
  }
  await db.schema.dropTable('staff_directory_version').execute();
}
