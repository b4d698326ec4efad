import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/db/index.js';
import type { Ticket } from '../../src/db/schema.js';

/** The id of a staff member by username; throws when there is none. */
export async function staffId(app: FastifyInstance, username: string): Promise<number> {
  const row = await app.db
    .selectFrom('staff')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The id of a role by its fixed key (built-in roles) or by the name shown. */
export async function roleId(
  app: FastifyInstance,
  role: { key: string } | { name: string },
): Promise<number> {
  const query = app.db.selectFrom('roles').select('id');
  const row = await ('key' in role
    ? query.where('key', '=', role.key)
    : query.where('name', '=', role.name)
  ).executeTakeFirstOrThrow();
  return row.id;
}

/** The newest audit row of one action, or undefined when there is none. */
export function lastAudit(app: FastifyInstance, action: string) {
  return app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Every audit row of one action, oldest first. */
export function auditRows(app: FastifyInstance, action: string) {
  return app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

/** How many audit rows there are, so a test can compare before and after. */
export async function countAudit(app: FastifyInstance): Promise<number> {
  const row = await app.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The numbers of the tickets with exactly this title, oldest first. */
export async function ticketsTitled(db: Db, title: string): Promise<number[]> {
  const rows = await db
    .selectFrom('tickets')
    .select('id')
    .where('title', '=', title)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A ticket's row as stored (a description still encrypted); throws when there is none. */
export function storedTicket(db: Db, id: number): Promise<Ticket> {
  return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
