import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { storeOf } from './dialect/store.js';
import type { Db } from './index.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';

/**
 * Copies every hushdesk table from one store into another (SQLite to
 * PostgreSQL, or back), in one transaction on the target, then checks each
 * table's row count and a checksum on both sides. Values are copied as stored:
 * PHI stays ciphertext under the same key, and the target never sees clear text.
 */

/**
 * Every table, parents before children (foreign keys). `derived` tables are
 * kept by triggers as rows arrive in the others: they are emptied after the
 * copy and then copied as they were, so the target holds the source's rows.
 * A table a migration adds must be listed here: test/db/copy-store.test.ts
 * compares this list with the store's own.
 */
export const TABLES: {
  name: keyof Database;
  key: string[];
  identity?: boolean;
  derived?: boolean;
}[] = [
  { name: 'roles', key: ['id'], identity: true },
  { name: 'role_permissions', key: ['role_id', 'permission'] },
  { name: 'staff', key: ['id'], identity: true },
  { name: 'staff_directory_version', key: ['id'], derived: true },
  { name: 'sessions', key: ['id'] },
  { name: 'setup_tokens', key: ['token_hash'] },
  { name: 'password_reset_tokens', key: ['token_hash'] },
  { name: 'settings', key: ['key'] },
  { name: 'audit_log', key: ['id'], identity: true },
  { name: 'priorities', key: ['id'], identity: true },
  { name: 'tickets', key: ['id'], identity: true },
  { name: 'ticket_associated_staff', key: ['ticket_id', 'staff_id'] },
  { name: 'ticket_notes', key: ['id'], identity: true },
  { name: 'ticket_events', key: ['id'], identity: true },
  { name: 'ticket_escalations', key: ['ticket_id'] },
  { name: 'ticket_links', key: ['id'], identity: true },
  { name: 'ticket_attachments', key: ['id'], identity: true },
  { name: 'report_days', key: ['starts_at'] },
  { name: 'report_calendar', key: ['id'] },
  { name: 'ticket_report_times', key: ['ticket_id'], derived: true },
  // After ticket_report_times: its triggers move these counts as that table's rows arrive.
  { name: 'report_daily', key: ['measure', 'day', 'priority_id', 'band'], derived: true },
  { name: 'staff_open_counts', key: ['staff_id'], derived: true },
  { name: 'ticket_form_tokens', key: ['token_hash'] },
  { name: 'staff_two_factor', key: ['staff_id'] },
  { name: 'staff_recovery_codes', key: ['id'], identity: true },
  { name: 'pending_sign_ins', key: ['id'] },
  { name: 'outbox', key: ['id'], identity: true },
  { name: 'notification_preferences', key: ['staff_id', 'kind'] },
  { name: 'api_tokens', key: ['id'], identity: true },
  { name: 'sign_in_failures', key: ['key_hash'] },
  { name: 'sso_provider', key: ['id'] },
  { name: 'staff_sso_identities', key: ['issuer', 'subject'] },
  { name: 'sso_sessions', key: ['session_id'] },
  { name: 'application_names', key: ['host'] },
];

/**
 * Tables of the store that are not hushdesk's data: the migrator's own, and
 * SQLite's full-text indexes (kept by triggers from the tickets' titles).
 */
export function isBookkeepingTable(name: string): boolean {
  return name.startsWith('kysely_migration') || /^tickets_(open_)?title_fts/.test(name);
}

/** The tables the store holds, whatever the migrations made. */
export async function storeTables(db: Db): Promise<string[]> {
  const { rows } =
    storeOf(db) === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return rows
    .map((r) => r.name)
    .filter((name) => !isBookkeepingTable(name))
    .sort();
}

const BATCH = 1000;

export class CopyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyStoreError';
  }
}

export interface TableCopy {
  name: string;
  rows: number;
  checksum: string;
}

type Row = Record<string, unknown>;

/**
 * A table in batches, in key order. Each batch starts after the last key read
 * (a row-value comparison both stores understand), so a batch costs the same at
 * the millionth row as at the first; OFFSET would read every earlier row again.
 */
async function* readTable(db: Db, table: (typeof TABLES)[number]): AsyncGenerator<Row[]> {
  const key = sql.join(table.key.map((column) => sql.ref(column)));
  let last: unknown[] | null = null;
  for (;;) {
    let query = db.selectFrom(table.name).selectAll();
    if (last) {
      const after = sql.join(last.map((value) => sql`${value}`));
      query = query.where(sql<boolean>`(${key}) > (${after})`);
    }
    for (const column of table.key) query = query.orderBy(sql.ref(column));
    const rows = (await query.limit(BATCH).execute()) as Row[];
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
    const end = rows[rows.length - 1] as Row;
    last = table.key.map((column) => end[column]);
  }
}

/**
 * Rows and a checksum that does not depend on row order (the stores sort text
 * differently): each row hashed with its columns in name order, the hashes sorted.
 */
export async function summarizeTable(db: Db, name: string): Promise<TableCopy> {
  const table = TABLES.find((t) => t.name === name);
  if (!table) throw new CopyStoreError(`no table ${name}`);
  const hashes: string[] = [];
  for await (const rows of readTable(db, table)) {
    for (const row of rows) {
      const columns = Object.keys(row).sort();
      const canonical = JSON.stringify(columns.map((c) => [c, row[c] ?? null]));
      hashes.push(createHash('sha256').update(canonical).digest('hex'));
    }
  }
  hashes.sort();
  const checksum = createHash('sha256').update(hashes.join('\n')).digest('hex');
  return { name, rows: hashes.length, checksum };
}

/** True when no one has used the store: no staff, no tickets, no audit rows. */
async function isUnused(db: Db): Promise<boolean> {
  for (const name of ['staff', 'tickets', 'audit_log'] as const) {
    const row = await db
      .selectFrom(name)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(row.n) > 0) return false;
  }
  return true;
}

/**
 * On PostgreSQL every trigger of ours keeps a `derived` table, which the copy
 * fills with the source's rows anyway; with them running, the per-row report
 * triggers made a 100,000-ticket copy take a quarter of an hour on timeline
 * events alone. `session_replication_role = replica` (for this transaction only)
 * skips them, and the foreign-key checks too: the checksums after the copy are
 * the check. Only a superuser, or a role granted SET on the parameter, may;
 * anyone else gets the slower copy with the triggers running. SQLite's triggers
 * also keep its title-search index, which is not copied, so they always run.
 */
async function skipTriggersIfAllowed(trx: Db): Promise<void> {
  if (storeOf(trx) !== 'postgres') return;
  await sql`savepoint skip_triggers`.execute(trx);
  try {
    await sql`set local session_replication_role = replica`.execute(trx);
  } catch {
    await sql`rollback to savepoint skip_triggers`.execute(trx);
  }
}

export async function copyStore(source: Db, target: Db): Promise<TableCopy[]> {
  await migrateToLatest(source);
  await migrateToLatest(target);
  const unlisted = (await storeTables(source)).filter((n) => !TABLES.some((t) => t.name === n));
  if (unlisted.length > 0) {
    throw new CopyStoreError(`this release does not know how to copy ${unlisted.join(', ')}.`);
  }
  if (!(await isUnused(target))) {
    throw new CopyStoreError(
      'the target already holds staff, tickets or audit rows; copy only into an empty database.',
    );
  }
  await target.transaction().execute(async (trx) => {
    await skipTriggersIfAllowed(trx);
    // The migrations' own rows (built-in roles, priorities, the directory version) make way.
    for (const table of [...TABLES].reverse()) await trx.deleteFrom(table.name).execute();
    const copy = async (table: (typeof TABLES)[number]) => {
      for await (const rows of readTable(source, table)) {
        await trx
          .insertInto(table.name)
          // biome-ignore lint/suspicious/noExplicitAny: rows are copied as read, whatever the table.
          .values(rows as any)
          .execute();
      }
    };
    for (const table of TABLES.filter((t) => !t.derived)) await copy(table);
    // What the triggers made from the copied rows gives way to the source's own.
    for (const table of TABLES.filter((t) => t.derived)) {
      await trx.deleteFrom(table.name).execute();
      await copy(table);
    }
    if (storeOf(trx) === 'postgres') {
      // Ids were copied as they were: the next new row must follow the largest.
      for (const table of TABLES.filter((t) => t.identity)) {
        await sql`select setval(pg_get_serial_sequence(${table.name}, 'id'),
          coalesce((select max(id) from ${sql.table(table.name)}), 0) + 1, false)`.execute(trx);
      }
    }
  });
  const copies: TableCopy[] = [];
  for (const table of TABLES) {
    const [from, to] = [
      await summarizeTable(source, table.name),
      await summarizeTable(target, table.name),
    ];
    if (from.rows !== to.rows || from.checksum !== to.checksum) {
      throw new CopyStoreError(
        `${table.name}: ${from.rows} rows copied as ${to.rows}, checksums ${from.checksum === to.checksum ? 'equal' : 'differ'}.`,
      );
    }
    copies.push(to);
  }
  return copies;
}
