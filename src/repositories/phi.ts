import { sql } from 'kysely';
import type { Db } from '../db/index.js';

/**
 * Every column that holds values encrypted with the PHI key. Key rotation
 * re-encrypts exactly these, and start-up looks here to tell a fresh database
 * from one that already holds encrypted data. A new encrypted column must be
 * added here.
 */
export const ENCRYPTED_COLUMNS = [
  { table: 'tickets', key: 'id', column: 'description' },
  { table: 'ticket_notes', key: 'id', column: 'body' },
  { table: 'staff_two_factor', key: 'staff_id', column: 'secret' },
  { table: 'sso_provider', key: 'id', column: 'client_secret' },
  { table: 'ticket_attachments', key: 'id', column: 'name' },
] as const;

/** Columns of bytes encrypted with the PHI key (attachments); rotation re-encrypts these too. */
export const ENCRYPTED_BYTE_COLUMNS = [
  { table: 'ticket_attachments', key: 'id', column: 'data' },
  { table: 'ticket_attachments', key: 'id', column: 'thumbnail' },
] as const;

export type EncryptedColumn =
  | (typeof ENCRYPTED_COLUMNS)[number]
  | (typeof ENCRYPTED_BYTE_COLUMNS)[number];

const BATCH = 500;

/** A stored value that could not be re-encrypted, named by table, column and row. */
export class EncryptedValueError extends Error {
  constructor(column: EncryptedColumn, id: number, reason: string) {
    super(`${column.table}.${column.column} of row ${column.key} ${id}: ${reason}`);
    this.name = 'EncryptedValueError';
  }
}

/** One encrypted value, or undefined when the database holds none yet. */
export async function findAnyEncryptedValue(db: Db): Promise<string | undefined> {
  for (const c of ENCRYPTED_COLUMNS) {
    const { rows } = await sql<{ value: string }>`
      select ${sql.ref(c.column)} as value from ${sql.table(c.table)}
      where ${sql.ref(c.column)} is not null limit 1`.execute(db);
    if (rows[0]) return rows[0].value;
  }
  return undefined;
}

/** Files are up to megabytes each: a few rows at a time keeps memory small. */
const BYTES_BATCH = 4;

/**
 * Rewrites every value of one column through `change`, in batches by key. Run
 * it inside a transaction: a value that fails to change (a wrong key) throws,
 * and the transaction leaves the column as it was.
 */
export function rewriteEncryptedColumn(
  trx: Db,
  c: (typeof ENCRYPTED_COLUMNS)[number],
  change: (stored: string) => string,
): Promise<number> {
  return rewriteColumn(trx, c, change, BATCH);
}

/** As rewriteEncryptedColumn, for a column of encrypted bytes. */
export function rewriteEncryptedBytes(
  trx: Db,
  c: (typeof ENCRYPTED_BYTE_COLUMNS)[number],
  change: (stored: Uint8Array) => Uint8Array,
): Promise<number> {
  return rewriteColumn(trx, c, change, BYTES_BATCH);
}

async function rewriteColumn<T>(
  trx: Db,
  c: EncryptedColumn,
  change: (stored: T) => T,
  batch: number,
): Promise<number> {
  let after = -1;
  let count = 0;
  for (;;) {
    const { rows } = await sql<{ id: number; value: T }>`
      select ${sql.ref(c.key)} as id, ${sql.ref(c.column)} as value from ${sql.table(c.table)}
      where ${sql.ref(c.column)} is not null and ${sql.ref(c.key)} > ${after}
      order by ${sql.ref(c.key)} limit ${batch}`.execute(trx);
    for (const row of rows) {
      let changed: T;
      try {
        changed = change(row.value);
      } catch (error) {
        throw new EncryptedValueError(c, row.id, (error as Error).message);
      }
      await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${changed}
        where ${sql.ref(c.key)} = ${row.id}`.execute(trx);
    }
    count += rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < batch) return count;
    after = last.id;
  }
}
