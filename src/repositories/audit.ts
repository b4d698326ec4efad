import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { AuditLogTable } from '../db/schema.js';

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
export async function recordAudit(db: Db, record: AuditRecord, now: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now.toISOString(),
      staff_id: record.actor.staffId ?? null,
      token_id: record.actor.tokenId ?? null,
      actor: record.actor.label,
      action: record.action,
      ticket_id: record.ticketId ?? null,
      detail: record.detail ?? null,
      ip: record.ip ?? null,
    })
    .execute();
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

/**
 * One page of the log, newest first, paged by row id (keyset paging stays fast
 * however long the log grows): `before` gives the page of older rows,
 * `after` the page of newer ones.
 */
export async function listAuditEntries(
  db: Db,
  filter: AuditFilter,
  page: { limit: number; before?: number; after?: number },
): Promise<{ rows: AuditRow[]; hasOlder: boolean; hasNewer: boolean }> {
  if (page.after !== undefined) {
    const rows = await filtered(db, filter)
      .where('id', '>', page.after)
      .orderBy('id', 'asc')
      .limit(page.limit + 1)
      .execute();
    const hasNewer = rows.length > page.limit;
    return { rows: rows.slice(0, page.limit).reverse(), hasNewer, hasOlder: true };
  }
  let query = filtered(db, filter);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return {
    rows: rows.slice(0, page.limit),
    hasOlder: rows.length > page.limit,
    hasNewer: page.before !== undefined,
  };
}

/** Every matching row, newest first, a batch at a time: for the CSV export. */
export async function* eachAuditEntry(
  db: Db,
  filter: AuditFilter,
  batch = 1000,
): AsyncGenerator<AuditRow> {
  let before: number | undefined;
  for (;;) {
    let query = filtered(db, filter);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(batch).execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    before = last.id;
  }
}

/** The kinds of action the log holds, for the filter. */
export async function listAuditActions(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select('action')
    .distinct()
    .orderBy('action')
    .execute();
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
