import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { type DialectAdapter, SqliteAdapter, SqliteDialect } from 'kysely';

/**
 * Everything SQLite-specific about opening the store lives here, so that a
 * PostgreSQL store can sit beside it later.
 *
 * - WAL lets readers run beside the one writer.
 * - synchronous=FULL: in WAL mode NORMAL can lose the last commits on power loss,
 *   and "saved" must mean on disk (https://www.sqlite.org/pragma.html#pragma_synchronous).
 * - foreign_keys is off by default in SQLite and must be turned on per connection.
 */
export function openSqlite(file: string): SQLite.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  assertPragmas(db);
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
