import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MIGRATION_TABLE, sql } from 'kysely';
import { BACKUP_FOLDER, backupDatabase } from '../db/backup.js';
import { storeOf } from '../db/dialect/store.js';
import type { Db } from '../db/index.js';
import { listMigrationNames, MIGRATIONS_DIR, migrateToLatest } from '../db/migrate.js';
import { upgradeBackupName } from './backups.js';

/** What the store has run against what this release carries. */
export interface MigrationState {
  applied: string[];
  /** Carried by this release, not yet run: an upgrade. */
  pending: string[];
  /** Run on this store, unknown to this release: a newer release migrated it. */
  unknown: string[];
}

export class NewerDatabaseError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `the database was migrated by a newer release of hushdesk (it has ${unknown.join(', ')}, which this release does not know). Run that newer release again, or go back with the backup taken before the upgrade (DATA_DIR/backups/*-before-upgrade.db, see the README, "Going back to the previous release"). Nothing was changed.`,
    );
    this.name = 'NewerDatabaseError';
  }
}

export async function readMigrationState(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationState> {
  const known = await listMigrationNames(dir);
  let applied: string[] = [];
  try {
    const { rows } = await sql<{ name: string }>`
      select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name`.execute(db);
    applied = rows.map((r) => r.name);
  } catch {
    // No migration table: a new store, everything pending.
  }
  const done = new Set(applied);
  const carried = new Set(known);
  return {
    applied,
    pending: known.filter((name) => !done.has(name)),
    unknown: applied.filter((name) => !carried.has(name)),
  };
}

export interface UpgradeReport {
  /** The backup taken before migrating an existing store, or null (nothing pending, or a new store). */
  backup: string | null;
  migrated: string[];
}

/**
 * Brings the store up to this release, safely: refuses a store a newer
 * release migrated (an older release must not write to it), and takes a
 * backup into DATA_DIR/backups before running pending migrations on a store
 * that already holds data, so going back to the previous release is a restore.
 */
export async function upgradeDatabase(
  db: Db,
  dataDir: string,
  now: Date,
  dir = MIGRATIONS_DIR,
): Promise<UpgradeReport> {
  const state = await readMigrationState(db, dir);
  if (state.unknown.length > 0) throw new NewerDatabaseError(state.unknown);
  if (state.pending.length === 0) return { backup: null, migrated: [] };
  let backup: string | null = null;
  // PostgreSQL is backed up with pg_dump by whoever runs the server (README); the
  // file copy taken here is SQLite's.
  if (state.applied.length > 0 && storeOf(db) === 'sqlite') {
    const folder = join(dataDir, BACKUP_FOLDER);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    backup = (await backupDatabase(dataDir, join(folder, upgradeBackupName(now)))).file;
  }
  const result = await migrateToLatest(db, dir);
  return {
    backup,
    migrated: (result.results ?? []).map((r) => r.migrationName),
  };
}
