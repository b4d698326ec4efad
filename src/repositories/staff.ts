import type { Db } from '../db/index.js';
import type { Staff } from '../db/schema.js';

export type RoleKey = 'admin' | 'champion' | 'staff' | 'external';

export interface StaffInput {
  name: string;
  username: string;
  email: string;
  roleKey: RoleKey;
  department: string | null;
  passwordHash: string | null;
}

export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export async function countStaff(db: Db): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findStaffByUsername(db: Db, username: string): Promise<Staff | undefined> {
  return db
    .selectFrom('staff')
    .selectAll()
    .where('username_key', '=', usernameKey(username))
    .executeTakeFirst();
}

export function findStaffById(db: Db, id: number): Promise<Staff | undefined> {
  return db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return (await findStaffByUsername(db, username)) !== undefined;
}

export async function createStaff(db: Db, input: StaffInput, now: Date): Promise<Staff> {
  const role = await db
    .selectFrom('roles')
    .select('id')
    .where('key', '=', input.roleKey)
    .executeTakeFirstOrThrow();
  const at = now.toISOString();
  return db
    .insertInto('staff')
    .values({
      name: input.name,
      username: input.username.trim(),
      username_key: usernameKey(input.username),
      email: input.email,
      role_id: role.id,
      department: input.department,
      active: 1,
      password_hash: input.passwordHash,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listPermissions(db: Db, roleId: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom('role_permissions')
    .select('permission')
    .where('role_id', '=', roleId)
    .execute();
  return new Set(rows.map((r) => r.permission));
}

export interface StaffOption {
  id: number;
  name: string;
  username: string;
  department: string | null;
  role_name: string;
}

/** Everyone who can be assigned a ticket, by name. */
export function listActiveStaff(db: Db): Promise<StaffOption[]> {
  return db
    .selectFrom('staff')
    .innerJoin('roles', 'roles.id', 'staff.role_id')
    .select([
      'staff.id',
      'staff.name',
      'staff.username',
      'staff.department',
      'roles.name as role_name',
    ])
    .where('staff.active', '=', 1)
    .orderBy('staff.name')
    .orderBy('staff.id')
    .execute();
}
