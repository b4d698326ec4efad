import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  sql,
} from 'kysely';
import { CODE_DIR } from '../root.js';
import { type Store, storeOf } from './dialect/store.js';
import type { Db } from './index.js';
import { sortingOnDisk } from './sqlite.js';

/** migrations/ beside src/ (tests run the .ts files, npm start the built .js ones). */
export const MIGRATIONS_DIR = join(CODE_DIR, '..', 'migrations');

/**
 * Loads migrations/*.{ts,js} by name. Kysely's FileMigrationProvider imports from
 * inside node_modules, where Node 20 cannot load the .ts files the tests run.
 */
async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => /^\d{4}_[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
}

/**
 * What a migration is told besides the database: Kysely gives a migration only
 * `db`, and where SQLite and PostgreSQL need different statements (triggers,
 * the title index) a migration must know which store it writes to.
 */
export interface MigrationContext {
  dialect: Store;
}

type HushdeskMigration = {
  up(db: Kysely<unknown>, context: MigrationContext): Promise<void>;
  down?(db: Kysely<unknown>, context: MigrationContext): Promise<void>;
};

class DirectoryMigrationProvider implements MigrationProvider {
  constructor(
    private readonly dir: string,
    private readonly context: MigrationContext,
  ) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = await migrationFiles(this.dir);
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const name = file.replace(/\.(ts|js)$/, '');
      const module = (await import(pathToFileURL(join(this.dir, file)).href)) as HushdeskMigration;
      const { down } = module;
      migrations[name] = {
        up: (db) => module.up(db, this.context),
        ...(down ? { down: (db: Kysely<unknown>) => down(db, this.context) } : {}),
      };
    }
    return migrations;
  }
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration: string | undefined,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** The names of the migrations this release carries, in order. */
export async function listMigrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  return (await migrationFiles(dir)).map((f) => f.replace(/\.(ts|js)$/, ''));
}

/**
 * True when the store has run exactly the migrations in `dir`: the usual start.
 * The migrator would load every migration module and take and release its lock
 * (two synced writes) to find that out; this reads one table.
 */
async function isUpToDate(db: Db, dir: string): Promise<boolean> {
  const names = (await migrationFiles(dir)).map((f) => f.replace(/\.(ts|js)$/, ''));
  try {
    const { rows } = await sql<{ name: string }>`
      select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name`.execute(db);
    return rows.length === names.length && rows.every((row, i) => row.name === names[i]);
  } catch {
    // No migration table yet: a new store.
    return false;
  }
}

/**
 * Runs every pending migration, all in one transaction (both stores run DDL
 * inside transactions), so a failure leaves the store as it was.
 */
export async function migrateToLatest(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationResultSet> {
  if (await isUpToDate(db, dir)) return { results: [] };
  const migrator = new Migrator({
    db,
    provider: new DirectoryMigrationProvider(dir, { dialect: storeOf(db) }),
  });
  const result = await sortingOnDisk(db, () => migrator.migrateToLatest());
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(
      `migration ${failed ?? '(unknown)'} failed: ${reason}`,
      failed,
      result.error,
    );
  }
  return result;
}
