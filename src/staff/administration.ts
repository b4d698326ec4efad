import type { Db } from '../db/index.js';
import type { Staff } from '../db/schema.js';
import { type AuditActor, recordAudit } from '../repositories/audit.js';
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

/** Who made a change, for the audit log. */
export interface ChangedBy {
  actor: AuditActor;
  ip: string;
}

async function keepSomeoneManagingStaff(trx: Db): Promise<void> {
  if ((await countActiveStaffWithPermission(trx, 'manage_staff')) === 0) {
    throw new LastAdministratorError();
  }
}

function labels(permissions: readonly string[]): string {
  return permissions.length === 0 ? 'no permissions' : permissions.map(permissionLabel).join(', ');
}

export async function addRole(
  db: Db,
  role: { name: string; permissions: readonly string[] },
  by: ChangedBy,
  now: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await createRole(trx, role.name, role.permissions, now);
    await recordAudit(
      trx,
      {
        actor: by.actor,
        action: 'role-added',
        detail: `Role “${role.name}” added with ${labels(role.permissions)}`,
        ip: by.ip,
      },
      now,
    );
    return id;
  });
}

/** Renames a role and sets its permissions. The External support role takes none. */
export async function changeRole(
  db: Db,
  roleId: number,
  change: { name: string; permissions: readonly string[] },
  by: ChangedBy,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const role = await findRoleById(trx, roleId);
    if (!role) throw new RoleNotEditableError('That role does not exist.');
    if (role.key === 'external' && change.permissions.length > 0) {
      throw new RoleNotEditableError('External support takes no permissions.');
    }
    if (role.name !== change.name) {
      await renameRole(trx, roleId, change.name);
      await recordAudit(
        trx,
        {
          actor: by.actor,
          action: 'role-renamed',
          detail: `Role “${role.name}” renamed to “${change.name}”`,
          ip: by.ip,
        },
        now,
      );
    }
    const added = change.permissions.filter((p) => !role.permissions.includes(p));
    const removed = role.permissions.filter((p) => !change.permissions.includes(p));
    if (added.length > 0 || removed.length > 0) {
      await setRolePermissions(trx, roleId, change.permissions);
      const parts = [
        added.length > 0 ? `added ${labels(added)}` : '',
        removed.length > 0 ? `removed ${labels(removed)}` : '',
      ].filter(Boolean);
      await recordAudit(
        trx,
        {
          actor: by.actor,
          action: 'role-permissions-changed',
          detail: `Role “${change.name}”: ${parts.join('; ')}`,
          ip: by.ip,
        },
        now,
      );
      await keepSomeoneManagingStaff(trx);
    }
  });
}

export async function addStaffMember(
  db: Db,
  member: StaffChanges,
  by: ChangedBy,
  now: Date,
): Promise<Staff> {
  return db.transaction().execute(async (trx) => {
    if (await findStaffByUsername(trx, member.username)) throw new UsernameTakenError();
    const created = await createStaff(trx, { ...member, passwordHash: null }, now);
    const role = await findRoleById(trx, member.roleId);
    await recordAudit(
      trx,
      {
        actor: by.actor,
        action: 'staff-added',
        detail: `${created.name} (${created.username}) added as ${role?.name ?? 'unknown role'}`,
        ip: by.ip,
      },
      now,
    );
    return created;
  });
}

export async function changeStaffMember(
  db: Db,
  staffId: number,
  changes: StaffChanges,
  by: ChangedBy,
  now: Date,
): Promise<void> {
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
    await recordAudit(
      trx,
      {
        actor: by.actor,
        action: 'staff-changed',
        detail: `${before.name} (${before.username}): ${differences.join('; ')}`,
        ip: by.ip,
      },
      now,
    );
    if (before.role_id !== changes.roleId) await keepSomeoneManagingStaff(trx);
  });
}

/**
 * Deactivation ends the person's sessions at once and closes any password
 * link they were given (HIPAA 164.312(a)(2)(iii): access ends with the role).
 * Staff are never deleted, so tickets and history keep their names.
 */
export async function deactivateStaffMember(
  db: Db,
  staffId: number,
  by: ChangedBy,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const member = await findStaffWithRole(trx, staffId);
    if (member?.active !== 1) return;
    await setStaffActive(trx, staffId, false, now);
    await deleteSessionsOfStaff(trx, staffId);
    await closePasswordResetTokens(trx, staffId, now);
    await keepSomeoneManagingStaff(trx);
    await recordAudit(
      trx,
      {
        actor: by.actor,
        action: 'staff-deactivated',
        detail: `${member.name} (${member.username}) deactivated; their sessions were ended`,
        ip: by.ip,
      },
      now,
    );
  });
}

export async function reactivateStaffMember(
  db: Db,
  staffId: number,
  by: ChangedBy,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const member = await findStaffWithRole(trx, staffId);
    if (!member || member.active === 1) return;
    await setStaffActive(trx, staffId, true, now);
    await recordAudit(
      trx,
      {
        actor: by.actor,
        action: 'staff-reactivated',
        detail: `${member.name} (${member.username}) reactivated`,
        ip: by.ip,
      },
      now,
    );
  });
}
