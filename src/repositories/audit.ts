import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';
import type { AuditEntry, AuditLogTable } from '../db/schema.js';

export interface AuditActor {
  staffId?: number | null;
  tokenId?: number | null;
  /** "Ann Lee (ann)"; kept as text so the row reads the same after a rename. */
  label: string;
}

export interface AuditRecord {
  actor: AuditActor;
  /** A short verb phrase: sign-in, sign-in-failed, ticket-viewed, staff-changed … */
  action: string;
  ticketId?: number | null;
  /** Plain words, never PHI. */
  detail?: string | null;
  ip?: string | null;
}

export function staffActor(staff: { id: number; name: string; username: string }): AuditActor {
  return { staffId: staff.id, label: `${staff.name} (${staff.username})` };
}

/** Appends one row to the audit log. There is no update or delete beside it. */
/** Compiled once (src/db/prepared.ts): every ticket view and every change writes one. */
const insertAuditQuery = prepared((db, v: Omit<Required<AuditEntry>, 'id'>) =>
  db.insertInto('audit_log').values({
    at: v.at,
    staff_id: v.staff_id,
    token_id: v.token_id,
    actor: v.actor,
    action: v.action,
    ticket_id: v.ticket_id,
    detail: v.detail,
    ip: v.ip,
  }),
);

export async function recordAudit(db: Db, record: AuditRecord, now: Date): Promise<void> {
  await insertAuditQuery.run(db, {
    at: now.toISOString(),
    staff_id: record.actor.staffId ?? null,
    token_id: record.actor.tokenId ?? null,
    actor: record.actor.label,
    action: record.action,
    ticket_id: record.ticketId ?? null,
    detail: record.detail ?? null,
    ip: record.ip ?? null,
  });
}

/** What the audit log page filters by; every field optional. Times are ISO instants. */
export interface AuditFilter {
  staffId?: number;
  ticketId?: number;
  action?: string;
  /** Inclusive. */
  from?: string;
  /** Exclusive. */
  to?: string;
}

export type AuditRow = Selectable<AuditLogTable>;

function filtered(db: Db, filter: AuditFilter) {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.staffId !== undefined) query = query.where('staff_id', '=', filter.staffId);
  if (filter.ticketId !== undefined) query = query.where('ticket_id', '=', filter.ticketId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  return query;
}

/** Where a row sits in time order; undefined when the row is gone (pruned). */
function positionOf(db: Db, id: number) {
  return db.selectFrom('audit_log').select(['at', 'id']).where('id', '=', id).executeTakeFirst();
}

/**
 * One page of the log, newest first (by time, then row id), with keyset paging
 * from a row id: `before` gives the page of older rows, `after` the page of
 * newer ones. Every filter column has an index ending in `at`, so a page costs
 * the same at row ten and at row ten million.
 */
export async function listAuditEntries(
  db: Db,
  filter: AuditFilter,
  page: { limit: number; before?: number; after?: number },
): Promise<{ rows: AuditRow[]; hasOlder: boolean; hasNewer: boolean }> {
  const after = page.after !== undefined ? await positionOf(db, page.after) : undefined;
  if (after) {
    const rows = await filtered(db, filter)
      .where((eb) => eb(eb.refTuple('at', 'id'), '>', eb.tuple(after.at, after.id)))
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .limit(page.limit + 1)
      .execute();
    const hasNewer = rows.length > page.limit;
    return { rows: rows.slice(0, page.limit).reverse(), hasNewer, hasOlder: true };
  }
  const before = page.before !== undefined ? await positionOf(db, page.before) : undefined;
  let query = filtered(db, filter);
  if (before) {
    query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(before.at, before.id)));
  }
  const rows = await query
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return {
    rows: rows.slice(0, page.limit),
    hasOlder: rows.length > page.limit,
    hasNewer: before !== undefined,
  };
}

/** Every matching row, newest first, a batch at a time: for the CSV export. */
export async function* eachAuditEntry(
  db: Db,
  filter: AuditFilter,
  batch = 1000,
): AsyncGenerator<AuditRow> {
  let before: { at: string; id: number } | undefined;
  for (;;) {
    let query = filtered(db, filter);
    if (before) {
      const { at, id } = before;
      query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(at, id)));
    }
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(batch).execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    before = { at: last.at, id: last.id };
  }
}

/**
 * The kinds of action the log holds, for the filter. A plain DISTINCT would
 * read every row; this walks the (action, at) index one kind at a time
 * (a "loose index scan"), a few lookups per kind however long the log is.
 */
export async function listAuditActions(db: Db): Promise<string[]> {
  const { rows } = await sql<{ action: string }>`
    with recursive kinds(action) as (
      select min(action) from audit_log
      union all
      select (select min(action) from audit_log where action > kinds.action)
      from kinds where kinds.action is not null
    )
    select action from kinds where action is not null`.execute(db);
  return rows.map((r) => r.action);
}

/**
 * Deletes rows older than the retention period. This is the only delete of
 * audit rows anywhere: the app's own daily housekeeping runs it (settings key
 * audit_retention_years, default six), and no page or API can.
 */
export async function pruneAuditLog(db: Db, olderThan: Date): Promise<number> {
  const result = await db
    .deleteFrom('audit_log')
    .where('at', '<', olderThan.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Everyone who could appear in the log, by name, for the staff filter. */
export function listStaffForAuditFilter(
  db: Db,
): Promise<{ id: number; name: string; username: string }[]> {
  return db.selectFrom('staff').select(['id', 'name', 'username']).orderBy('name').execute();
}
