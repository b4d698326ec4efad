import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type DialectAdapter,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  sql,
} from 'kysely';
import { storeOf } from './dialect/store.js';
import type { Db } from './index.js';

/**
 * Everything SQLite-specific about opening the store lives here, so that a
 * PostgreSQL store can sit beside it later.
 *
 * - WAL lets readers run beside the one writer.
 * - synchronous=FULL: in WAL mode NORMAL can lose the last commits on power loss,
 *   and "saved" must mean on disk (https://www.sqlite.org/pragma.html#pragma_synchronous).
 * - foreign_keys is off by default in SQLite and must be turned on per connection.
 * - temp_store=MEMORY: each write runs in a savepoint of its own (group commit,
 *   src/db/group-commit.ts), and SQLite keeps the pages a savepoint changes in a
 *   sub-journal, a temporary file once past 64 KiB. A ticket's insert changes
 *   more than that (its row, eleven indexes, two title indexes), so every create
 *   wrote and read a temporary file: 500 us for the insert, 120 for its timeline
 *   row, 60 for its audit row, against 170, 35 and 15 in memory (bench data,
 *   1,000,000 tickets, five creates a batch). The same setting keeps the
 *   writer's sorts in memory, so migrations sort on disk (`sortingOnDisk`).
 */
export function openSqlite(file: string): SQLite.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma(`temp_store = ${WRITER_TEMP_STORE}`);
  boundMemory(db);
  assertPragmas(db);
  // Keep planner statistics fresh on a long-lived connection, bounded in cost
  // (https://www.sqlite.org/pragma.html#pragma_optimize).
  db.pragma('analysis_limit = 400');
  db.pragma('optimize = 0x10002');
  return db;
}

/** Where the writer keeps savepoint journals and sorts (2: memory). */
const WRITER_TEMP_STORE = 'MEMORY';

/**
 * Runs `work` with the SQLite writer's sorts on disk: building an index over a
 * million titles took 130 MB of memory with temp_store=MEMORY against 33 MB on
 * disk. For migrations; a PostgreSQL store runs `work` as it is.
 */
export async function sortingOnDisk<T>(db: Db, work: () => Promise<T>): Promise<T> {
  if (storeOf(db) !== 'sqlite') return work();
  await sql`pragma temp_store = FILE`.execute(db);
  try {
    return await work();
  } finally {
    await sql.raw(`pragma temp_store = ${WRITER_TEMP_STORE}`).execute(db);
  }
}

/**
 * Kysely prepares every query afresh, and compiling SQL costs more than running
 * most of ours. The app sends the same few hundred statements over and over, so
 * compiled statements are kept (least recently used out) and reused. Safe here:
 * one connection, queries serialised by Kysely, no statement iterated while reused.
 */
export function withStatementCache(db: SQLite.Database, max = 200): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close() {
      cache.clear();
      // The reader cannot write the statistics; the writer keeps them.
      if (!db.readonly) db.pragma('optimize');
      db.close();
    },
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = db.prepare(sql);
        if (cache.size >= max) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** SQLite's page cache, per connection: 16 MiB (negative means KiB). */
export const PAGE_CACHE_KIB = 16 * 1024;
/** SQLite gives back cache beyond this much memory (process-wide, soft). */
export const SOFT_HEAP_LIMIT_BYTES = 96 * 2 ** 20;

/**
 * A scan of every filter grew the server to 832 MB, most of it native heap.
 * SQLite's share is bounded here: the page cache by size, and everything SQLite
 * allocates by a soft limit, past which it frees cache before asking for more
 * (https://www.sqlite.org/pragma.html#pragma_soft_heap_limit).
 */
function boundMemory(db: SQLite.Database): void {
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma(`soft_heap_limit = ${SOFT_HEAP_LIMIT_BYTES}`);
}

/**
 * The second connection, for reads outside a transaction (src/db/group-commit.ts):
 * read-only, so it can never write, and in WAL mode it sees only committed data.
 */
export function openSqliteReader(file: string): SQLite.Database {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Harmless on a reader; set so that whichever connection answers a pragma says the same.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  boundMemory(db);
  return db;
}

function assertPragmas(db: SQLite.Database): void {
  const expect = (pragma: string, wanted: string | number) => {
    const actual = db.pragma(pragma, { simple: true });
    if (String(actual) !== String(wanted)) {
      throw new Error(`SQLite ${pragma} is ${String(actual)}, expected ${String(wanted)}`);
    }
  };
  expect('journal_mode', 'wal');
  expect('synchronous', 2);
  expect('foreign_keys', 1);
  expect('busy_timeout', 5000);
  expect('temp_store', 2);
}

/**
 * SQLite runs DDL inside transactions, though Kysely's adapter says it does not.
 * Saying so lets the migrator run pending migrations in one transaction, so a
 * failed migration leaves the database exactly as it was.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class HushdeskSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}
