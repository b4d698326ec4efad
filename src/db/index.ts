import { join } from 'node:path';
import { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { HushdeskSqliteDialect, openSqlite, withStatementCache } from './sqlite.js';

export type Db = Kysely<Database>;

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'hushdesk.db');
}

export function createDb(dataDir: string): Db {
  const sqlite = openSqlite(databaseFile(dataDir));
  return new Kysely<Database>({
    dialect: new HushdeskSqliteDialect({ database: withStatementCache(sqlite) }),
  });
}
