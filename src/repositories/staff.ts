import { storeOf } from '../db/dialect/store.js';
import { likeAnyCase } from '../db/dialect/text-match.js';
import type { Db } from '../db/index.js';
import type { Staff, TicketStatus } from '../db/schema.js';

export type RoleKey = 'admin' | 'champion' | 'staff' | 'external';

export type StaffInput = {
  name: string;
  username: string;
  email: string;
  department: string | null;
  passwordHash: string | null;
  /** A built-in role by key, or any role by id. */
} & ({ roleKey: RoleKey } | { roleId: number });

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
  const roleId =
    'roleId' in input
      ? input.roleId
      : (
          await db
            .selectFrom('roles')
            .select('id')
            .where('key', '=', input.roleKey)
            .executeTakeFirstOrThrow()
        ).id;
  const at = now.toISOString();
  return db
    .insertInto('staff')
    .values({
      name: input.name,
      username: input.username.trim(),
      username_key: usernameKey(input.username),
      email: input.email,
      role_id: roleId,
      department: input.department,
      active: 1,
      password_hash: input.passwordHash,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type StaffStatusFilter = 'active' | 'inactive' | 'all';

export interface StaffListRow {
  id: number;
  name: string;
  username: string;
  email: string;
  department: string | null;
  active: number;
  role_id: number;
  role_name: string;
}

/** `%` and `_` typed into a search are letters, not wildcards. */
function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Who a staff row is, as every list of staff shows it: with the name of their role. */
const PERSON_WITH_ROLE = [
  'staff.id',
  'staff.name',
  'staff.username',
  'staff.department',
  'roles.name as role_name',
] as const;

function selectFromStaffAndRoles(db: Db) {
  return db.selectFrom('staff').innerJoin('roles', 'roles.id', 'staff.role_id');
}

/** Staff rows as the staff pages list them: with their address, status and role. */
function selectStaffWithRole(db: Db) {
  return selectFromStaffAndRoles(db).select([
    ...PERSON_WITH_ROLE,
    'staff.email',
    'staff.active',
    'staff.role_id',
  ]);
}

/** Staff by name, matching part of the name, username or department (any case). */
export function searchStaff(
  db: Db,
  filter: { query: string; status: StaffStatusFilter },
): Promise<StaffListRow[]> {
  let query = selectStaffWithRole(db);
  if (filter.status !== 'all')
    query = query.where('staff.active', '=', filter.status === 'active' ? 1 : 0);
  if (filter.query) {
    const pattern = likePattern(filter.query);
    const store = storeOf(db);
    query = query.where((eb) =>
      eb.or(
        (['staff.name', 'staff.username', 'staff.department'] as const).map((column) =>
          likeAnyCase(store, eb.ref(column), pattern),
        ),
      ),
    );
  }
  return query.orderBy('staff.name').orderBy('staff.id').execute();
}

export function findStaffWithRole(db: Db, id: number): Promise<StaffListRow | undefined> {
  return selectStaffWithRole(db).where('staff.id', '=', id).executeTakeFirst();
}

export interface StaffChanges {
  name: string;
  username: string;
  email: string;
  roleId: number;
  department: string | null;
}

export async function updateStaff(
  db: Db,
  id: number,
  changes: StaffChanges,
  now: Date,
): Promise<void> {
  await db
    .updateTable('staff')
    .set({
      name: changes.name,
      username: changes.username.trim(),
      username_key: usernameKey(changes.username),
      email: changes.email,
      role_id: changes.roleId,
      department: changes.department,
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

export async function setStaffActive(
  db: Db,
  id: number,
  active: boolean,
  now: Date,
): Promise<void> {
  await db
    .updateTable('staff')
    .set({ active: active ? 1 : 0, updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

export async function setPasswordHash(
  db: Db,
  id: number,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('staff')
    .set({ password_hash: passwordHash, updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'in_progress', 'waiting'];

export interface OpenTicketRow {
  id: number;
  title: string;
  status: TicketStatus;
  updated_at: string;
}

/** Open tickets the person is the point person for: after deactivation they need someone new. */
export function listOpenTicketsAssignedTo(db: Db, staffId: number): Promise<OpenTicketRow[]> {
  return db
    .selectFrom('tickets')
    .select(['id', 'title', 'status', 'updated_at'])
    .where('assignee_id', '=', staffId)
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('id')
    .execute();
}

export interface StaffOption {
  id: number;
  name: string;
  username: string;
  department: string | null;
  role_name: string;
}

/** Active staff as a choice in a list: name, username, department and role. */
function selectActiveStaffOptions(db: Db) {
  return selectFromStaffAndRoles(db).select(PERSON_WITH_ROLE).where('staff.active', '=', 1);
}

/** Everyone who can be assigned a ticket, by name. */
export function listActiveStaff(db: Db): Promise<StaffOption[]> {
  return selectActiveStaffOptions(db).orderBy('staff.name').orderBy('staff.id').execute();
}

/**
 * Who may be chosen as a ticket's point person or associated staff: active
 * staff, except external support accounts, who see only tickets sent to the
 * desk (being assigned or associated would show them any ticket).
 */
export function listAssignableStaff(db: Db): Promise<StaffOption[]> {
  return selectActiveStaffOptions(db)
    .where((eb) => eb.or([eb('roles.key', 'is', null), eb('roles.key', '!=', 'external')]))
    .execute();
}

/** Changes whenever a staff member or role name changes (kept by triggers): quick search's cache key. */
export async function readStaffDirectoryVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('staff_directory_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirst();
  return row?.version ?? 0;
}
