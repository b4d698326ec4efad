import { join } from 'node:path';
import { Kysely } from 'kysely';
import { GroupCommitSqliteDialect } from './group-commit.js';
import type { Database } from './schema.js';
import { openSqlite, openSqliteReader } from './sqlite.js';

export type Db = Kysely<Database>;

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'hushdesk.db');
}

export function createDb(dataDir: string): Db {
  const file = databaseFile(dataDir);
  const writer = openSqlite(file);
  return new Kysely<Database>({
    dialect: new GroupCommitSqliteDialect({ writer, reader: openSqliteReader(file) }),
  });
}
