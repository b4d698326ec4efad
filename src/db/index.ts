import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { BACKSTOP_PAGES, startCheckpointer } from './checkpointer.js';
import { keepChangeMarks, SqliteChangeMarks } from './dialect/change-marks.js';
import { storeOf } from './dialect/store.js';
import { GroupCommitSqliteDialect } from './group-commit.js';
import { createPostgresPool, HushdeskPostgresDialect, StoreUnreachableError } from './postgres.js';
import type { Database } from './schema.js';
import { openSqlite, openSqliteReader } from './sqlite.js';

export type Db = Kysely<Database>;

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'hushdesk.db');
}

/**
 * The store: PostgreSQL when DATABASE_URL is set (a plain pool: the server
 * groups commits itself), else the SQLite file in DATA_DIR with group commit,
 * and for the server checkpoints by a worker thread (src/db/checkpointer.ts).
 * Opening a pool does not connect: `checkStore` says whether the server answers.
 */
export function createDb(
  dataDir: string,
  databaseUrl: string | null = null,
  options: { checkpointInBackground?: boolean; onCheckpointError?: (message: string) => void } = {},
): Db {
  if (databaseUrl) {
    return new Kysely<Database>({
      dialect: new HushdeskPostgresDialect({ pool: createPostgresPool(databaseUrl) }),
    });
  }
  const file = databaseFile(dataDir);
  const writer = openSqlite(file);
  const checkpointer = options.checkpointInBackground
    ? startCheckpointer(file, { onError: options.onCheckpointError })
    : undefined;
  if (checkpointer) writer.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const changeMarks = new SqliteChangeMarks(writer);
  const db = new Kysely<Database>({
    dialect: new GroupCommitSqliteDialect({
      writer,
      reader: openSqliteReader(file),
      changeMarks,
      checkpointer,
    }),
  });
  keepChangeMarks(db, changeMarks);
  return db;
}

/** Stops start-up with one line naming DATABASE_URL when the PostgreSQL server does not answer. */
export async function checkStore(db: Db): Promise<void> {
  if (storeOf(db) !== 'postgres') return;
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    throw new StoreUnreachableError((error as Error).message || String(error));
  }
}
