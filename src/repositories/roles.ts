import { sql } from 'kysely';
import type { Db } from '../db/index.js';

export interface RoleWithPermissions {
  id: number;
  key: string | null;
  name: string;
  permissions: string[];
}

export interface RoleSummary extends RoleWithPermissions {
  /** Active staff holding the role. */
  activeStaff: number;
}

export async function listRoles(db: Db): Promise<RoleSummary[]> {
  const roles = await db
    .selectFrom('roles')
    .leftJoin('staff', (join) =>
      join.onRef('staff.role_id', '=', 'roles.id').on('staff.active', '=', 1),
    )
    .select(['roles.id', 'roles.key', 'roles.name'])
    .select((eb) => eb.fn.count<number>('staff.id').as('active_staff'))
    .groupBy('roles.id')
    .orderBy('roles.id')
    .execute();
  const grants = await db.selectFrom('role_permissions').selectAll().execute();
  return roles.map((role) => ({
    id: role.id,
    key: role.key,
    name: role.name,
    activeStaff: Number(role.active_staff),
    permissions: grants.filter((g) => g.role_id === role.id).map((g) => g.permission),
  }));
}

export async function findRoleById(db: Db, id: number): Promise<RoleWithPermissions | undefined> {
  const role = await db
    .selectFrom('roles')
    .select(['id', 'key', 'name'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!role) return undefined;
  const grants = await db
    .selectFrom('role_permissions')
    .select('permission')
    .where('role_id', '=', id)
    .execute();
  return { ...role, permissions: grants.map((g) => g.permission) };
}

/** Role names are unique whatever their case: "Champion" and "champion" would confuse. */
export async function roleNameTaken(db: Db, name: string, exceptId?: number): Promise<boolean> {
  let query = db
    .selectFrom('roles')
    .select('id')
    .where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function createRole(
  db: Db,
  name: string,
  permissions: readonly string[],
  now: Date,
): Promise<number> {
  const role = await db
    .insertInto('roles')
    .values({ key: null, name, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await setRolePermissions(db, role.id, permissions);
  return role.id;
}

/** Renames a role; a built-in role keeps its key, so code that looks it up still finds it. */
export async function renameRole(db: Db, id: number, name: string): Promise<void> {
  await db.updateTable('roles').set({ name }).where('id', '=', id).execute();
}

export async function setRolePermissions(
  db: Db,
  roleId: number,
  permissions: readonly string[],
): Promise<void> {
  await db.deleteFrom('role_permissions').where('role_id', '=', roleId).execute();
  if (permissions.length === 0) return;
  await db
    .insertInto('role_permissions')
    .values(permissions.map((permission) => ({ role_id: roleId, permission })))
    .execute();
}

export interface StaffWithPermission {
  id: number;
  name: string;
  username: string;
  department: string | null;
}

/** Active staff whose role carries the permission, by name. */
export function listActiveStaffWithPermission(
  db: Db,
  permission: string,
): Promise<StaffWithPermission[]> {
  return db
    .selectFrom('staff')
    .innerJoin('role_permissions', 'role_permissions.role_id', 'staff.role_id')
    .select(['staff.id', 'staff.name', 'staff.username', 'staff.department'])
    .where('role_permissions.permission', '=', permission)
    .where('staff.active', '=', 1)
    .orderBy('staff.name')
    .orderBy('staff.id')
    .execute();
}

/**
 * The agency's champions: active staff who may send tickets to the escalation
 * desk. Staff without the permission are offered this list to assign to.
 */
export function listChampions(db: Db): Promise<StaffWithPermission[]> {
  return listActiveStaffWithPermission(db, 'send_to_desk');
}

export async function countActiveStaffWithPermission(db: Db, permission: string): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .innerJoin('role_permissions', 'role_permissions.role_id', 'staff.role_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_permissions.permission', '=', permission)
    .where('staff.active', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
