import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';

export interface SessionWithStaff {
  id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  staff_id: number;
  name: string;
  username: string;
  email: string;
  role_id: number;
  role_name: string;
  role_key: string | null;
  active: number;
  permissions: Set<string>;
}

export async function createSession(
  db: Db,
  values: { id: string; staffId: number; csrfToken: string; ip: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('sessions')
    .values({
      id: values.id,
      staff_id: values.staffId,
      csrf_token: values.csrfToken,
      created_at: at,
      last_seen_at: at,
      ip: values.ip,
    })
    .execute();
}

/**
 * The session, its staff member, their role and the role's permissions: one
 * statement on every signed-in request, so a permission change applies at the
 * person's next request and costs no second round trip. The role's permissions
 * come as one row each (a left join: a role may have none). Compiled once
 * (src/db/prepared.ts): it runs on every request.
 */
const sessionQuery = prepared((db, v: { id: string }) =>
  db
    .selectFrom('sessions')
    .innerJoin('staff', 'staff.id', 'sessions.staff_id')
    .innerJoin('roles', 'roles.id', 'staff.role_id')
    .leftJoin('role_permissions', 'role_permissions.role_id', 'staff.role_id')
    .select([
      'sessions.id',
      'sessions.csrf_token',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.staff_id',
      'staff.name',
      'staff.username',
      'staff.email',
      'staff.role_id',
      'roles.name as role_name',
      'roles.key as role_key',
      'staff.active',
      'role_permissions.permission',
    ])
    .where('sessions.id', '=', v.id),
);

export async function findSession(db: Db, id: string): Promise<SessionWithStaff | undefined> {
  const rows = await sessionQuery.rows(db, { id });
  const [first] = rows;
  if (!first) return undefined;
  const { permission: _, ...session } = first;
  const permissions = new Set<string>();
  for (const row of rows) if (row.permission !== null) permissions.add(row.permission);
  return { ...session, permissions };
}

export async function touchSession(db: Db, id: string, now: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteSessionsOfStaff(db: Db, staffId: number): Promise<void> {
  await db.deleteFrom('sessions').where('staff_id', '=', staffId).execute();
}

/** Ends every session of the person but the one in use (after they change their own password). */
export async function deleteOtherSessionsOfStaff(
  db: Db,
  staffId: number,
  keepId: string,
): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('staff_id', '=', staffId)
    .where('id', '!=', keepId)
    .execute();
}

/** Removes sessions past either limit, so the table does not grow without end. */
export async function deleteExpiredSessions(
  db: Db,
  idleBefore: Date,
  createdBefore: Date,
): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('last_seen_at', '<', idleBefore.toISOString()),
        eb('created_at', '<', createdBefore.toISOString()),
      ]),
    )
    .execute();
}

/** Sessions within both limits: people signed in now. */
export async function countActiveSessions(
  db: Db,
  idleBefore: Date,
  createdBefore: Date,
): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('last_seen_at', '>=', idleBefore.toISOString())
    .where('created_at', '>=', createdBefore.toISOString())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
