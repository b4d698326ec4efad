import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_MIGRATION_TABLE,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  sql,
} from 'kysely';
import { CODE_DIR } from '../root.js';
import type { Db } from './index.js';

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

class DirectoryMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = await migrationFiles(this.dir);
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const name = file.replace(/\.(ts|js)$/, '');
      migrations[name] = (await import(pathToFileURL(join(this.dir, file)).href)) as Migration;
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

/** Runs every pending migration; each runs in its own transaction, so a failure leaves the store as it was. */
export async function migrateToLatest(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationResultSet> {
  if (await isUpToDate(db, dir)) return { results: [] };
  const migrator = new Migrator({ db, provider: new DirectoryMigrationProvider(dir) });
  const result = await migrator.migrateToLatest();
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
