import { auditChange, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import type { Staff } from '../db/schema.js';
import { closePasswordResetTokens } from '../repositories/password-resets.js';
import {
  countActiveStaffWithPermission,
  createRole,
  findRoleById,
  renameRole,
  setRolePermissions,
} from '../repositories/roles.js';
import { deleteSessionsOfStaff } from '../repositories/sessions.js';
import {
  createStaff,
  findStaffByUsername,
  findStaffWithRole,
  type StaffChanges,
  setStaffActive,
  updateStaff,
} from '../repositories/staff.js';
import { permissionLabel } from './permissions.js';

/**
 * The changes administrators make to roles and staff. Each runs in one
 * transaction with its audit row, and every change that could take the
 * permission to manage staff away from the last person who has it is checked
 * after it is applied and rolled back if nobody would be left: that one check
 * covers editing a role, changing someone's role and deactivating someone.
 */

export class LastAdministratorError extends Error {
  constructor() {
    super(
      'At least one active person must keep “Manage staff and roles”, or nobody could manage staff again. Give it to someone else first.',
    );
    this.name = 'LastAdministratorError';
  }
}

export class UsernameTakenError extends Error {
  constructor() {
    super('That username is taken. Choose another.');
    this.name = 'UsernameTakenError';
  }
}

export class RoleNotEditableError extends Error {}

async function keepSomeoneManagingStaff(trx: Db): Promise<void> {
  if ((await countActiveStaffWithPermission(trx, 'manage_staff')) === 0) {
    throw new LastAdministratorError();
  }
}

function labels(permissions: readonly string[]): string {
  return permissions.length === 0 ? 'no permissions' : permissions.map(permissionLabel).join(', ');
}

/** A role's name and permissions, as the role form sends them. */
export interface RoleValues {
  name: string;
  permissions: readonly string[];
}

export async function addRole(
  db: Db,
  { role, change }: { role: RoleValues; change: ChangeContext },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await createRole(trx, role.name, role.permissions, change.now);
    await auditChange(trx, change, {
      action: 'role-added',
      detail: `Role “${role.name}” added with ${labels(role.permissions)}`,
    });
    return id;
  });
}

/** Renames a role and sets its permissions. The External support role takes none. */
export async function changeRole(
  db: Db,
  { roleId, role: values, change }: { roleId: number; role: RoleValues; change: ChangeContext },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const role = await findRoleById(trx, roleId);
    if (!role) throw new RoleNotEditableError('That role does not exist.');
    if (role.key === 'external' && values.permissions.length > 0) {
      throw new RoleNotEditableError('External support takes no permissions.');
    }
    if (role.name !== values.name) {
      await renameRole(trx, roleId, values.name);
      await auditChange(trx, change, {
        action: 'role-renamed',
        detail: `Role “${role.name}” renamed to “${values.name}”`,
      });
    }
    const added = values.permissions.filter((p) => !role.permissions.includes(p));
    const removed = role.permissions.filter((p) => !values.permissions.includes(p));
    if (added.length > 0 || removed.length > 0) {
      await setRolePermissions(trx, roleId, values.permissions);
      const parts = [
        added.length > 0 ? `added ${labels(added)}` : '',
        removed.length > 0 ? `removed ${labels(removed)}` : '',
      ].filter(Boolean);
      await auditChange(trx, change, {
        action: 'role-permissions-changed',
        detail: `Role “${values.name}”: ${parts.join('; ')}`,
      });
      await keepSomeoneManagingStaff(trx);
    }
  });
}

export async function addStaffMember(
  db: Db,
  { member, change }: { member: StaffChanges; change: ChangeContext },
): Promise<Staff> {
  const { now } = change;
  return db.transaction().execute(async (trx) => {
    if (await findStaffByUsername(trx, member.username)) throw new UsernameTakenError();
    const created = await createStaff(trx, { ...member, passwordHash: null }, now);
    const role = await findRoleById(trx, member.roleId);
    await auditChange(trx, change, {
      action: 'staff-added',
      detail: `${created.name} (${created.username}) added as ${role?.name ?? 'unknown role'}`,
    });
    return created;
  });
}

export async function changeStaffMember(
  db: Db,
  { staffId, changes, change }: { staffId: number; changes: StaffChanges; change: ChangeContext },
): Promise<void> {
  const { now } = change;
  await db.transaction().execute(async (trx) => {
    const before = await findStaffWithRole(trx, staffId);
    if (!before) throw new Error(`no staff ${staffId}`);
    const holder = await findStaffByUsername(trx, changes.username);
    if (holder && holder.id !== staffId) throw new UsernameTakenError();
    await updateStaff(trx, staffId, changes, now);
    const after = await findStaffWithRole(trx, staffId);
    const differences: string[] = [];
    const compare = (field: string, old: string | null, next: string | null | undefined) => {
      if ((old ?? '') !== (next ?? ''))
        differences.push(`${field} “${old ?? ''}” → “${next ?? ''}”`);
    };
    compare('name', before.name, after?.name);
    compare('username', before.username, after?.username);
    compare('email', before.email, after?.email);
    compare('role', before.role_name, after?.role_name);
    compare('department', before.department, after?.department);
    if (differences.length === 0) return;
    await auditChange(trx, change, {
      action: 'staff-changed',
      detail: `${before.name} (${before.username}): ${differences.join('; ')}`,
    });
    if (before.role_id !== changes.roleId) await keepSomeoneManagingStaff(trx);
  });
}

/** Which member a change is about, and the change context. */
export interface StaffMemberChange {
  staffId: number;
  change: ChangeContext;
}

/**
 * Deactivation ends the person's sessions at once and closes any password
 * link they were given (HIPAA 164.312(a)(2)(iii): access ends with the role).
 * Staff are never deleted, so tickets and history keep their names.
 */
export function deactivateStaffMember(db: Db, member: StaffMemberChange): Promise<void> {
  return setStaffMemberActive(db, member, false);
}

export function reactivateStaffMember(db: Db, member: StaffMemberChange): Promise<void> {
  return setStaffMemberActive(db, member, true);
}

/** Turns a member on or off and audits it; a member already so is left alone. */
async function setStaffMemberActive(
  db: Db,
  { staffId, change }: StaffMemberChange,
  active: boolean,
): Promise<void> {
  const { now } = change;
  await db.transaction().execute(async (trx) => {
    const member = await findStaffWithRole(trx, staffId);
    if (!member || (member.active === 1) === active) return;
    await setStaffActive(trx, staffId, active, now);
    if (!active) {
      await deleteSessionsOfStaff(trx, staffId);
      await closePasswordResetTokens(trx, staffId, now);
      await keepSomeoneManagingStaff(trx);
    }
    const who = `${member.name} (${member.username})`;
    await auditChange(
      trx,
      change,
      active
        ? { action: 'staff-reactivated', detail: `${who} reactivated` }
        : {
            action: 'staff-deactivated',
            detail: `${who} deactivated; their sessions were ended`,
          },
    );
  });
}
