import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { syncFolder } from '../crypto/key.js';
import { databaseFile } from './index.js';

/**
 * Backups and restores: everything SQLite-specific about them is here.
 *
 * - A live database file must never be copied byte by byte; the online backup
 *   API takes a consistent copy while the server keeps writing
 *   (https://www.sqlite.org/backup.html).
 * - Every copy is checked with PRAGMA integrity_check before it is trusted
 *   (https://www.sqlite.org/pragma.html#pragma_integrity_check).
 * - A backup is one self-contained file (rollback journal, not WAL), readable
 *   by its owner only: it holds staff details and encrypted PHI.
 * - The encryption key is not in a backup; the report names the key id a
 *   backup needs, so the operator can tell which saved key file goes with it.
 */

export interface DatabaseReport {
  file: string;
  bytes: number;
  tables: { name: string; rows: number }[];
  /** The id of the PHI key the data was encrypted with, from the key check. */
  keyId: string | null;
  keyCheck: { keyId: string; value: string } | null;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const HUSHDESK_TABLES = ['staff', 'settings', 'kysely_migration'];

/** Opens a copy, checks it, and counts its rows. Throws BackupError when it is not a sound hushdesk database. */
export function checkDatabaseFile(file: string): DatabaseReport {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist.`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} cannot be opened: ${(error as Error).message}.`);
  }
  try {
    let problems: string[];
    try {
      problems = db
        .prepare('pragma integrity_check')
        .pluck()
        .all()
        .map((v) => String(v));
    } catch (error) {
      throw new BackupError(`${file} is not a SQLite database (${(error as Error).message}).`);
    }
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupError(
        `${file} failed its integrity check: ${problems.slice(0, 5).join('; ')}`,
      );
    }
    const names = db
      .prepare(
        "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .pluck()
      .all() as string[];
    const missing = HUSHDESK_TABLES.filter((t) => !names.includes(t));
    if (missing.length > 0) {
      throw new BackupError(`${file} is not a hushdesk database (no ${missing.join(', ')} table).`);
    }
    const tables = names.map((name) => ({
      name,
      rows: Number(
        db
          .prepare(`select count(*) from "${name.replaceAll('"', '""')}"`)
          .pluck()
          .get(),
      ),
    }));
    const raw = db
      .prepare("select value from settings where key = 'phi_key_check'")
      .pluck()
      .get() as string | undefined;
    const keyCheck = raw ? (JSON.parse(raw) as DatabaseReport['keyCheck']) : null;
    return { file, bytes: statSync(file).size, tables, keyId: keyCheck?.keyId ?? null, keyCheck };
  } finally {
    db.close();
  }
}

function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'wx', 0o600));
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes an online backup of DATA_DIR's database into `target` (which must not
 * exist), checks it, and reports on it. Safe while the server runs: the copy
 * is one consistent snapshot, taken in one step so that the server's writes
 * cannot keep restarting it.
 */
export async function backupDatabase(dataDir: string, target: string): Promise<DatabaseReport> {
  const source = databaseFile(dataDir);
  const file = resolve(target);
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source}.`);
  if (existsSync(file)) throw new BackupError(`${file} already exists; choose a new file name.`);
  if (!existsSync(dirname(file)))
    throw new BackupError(`the folder ${dirname(file)} does not exist.`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  createPrivateFile(partial);
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new BackupError(`the backup failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  try {
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      // The copy keeps the source's WAL flag; one self-contained file is what a backup should be.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    syncFile(partial);
    checkDatabaseFile(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, file);
  syncFolder(dirname(file));
  return { ...checkDatabaseFile(file), file };
}

/**
 * Replaces DATA_DIR's database with a backup. The server must be stopped (the
 * caller checks). The backup is copied in first and checked there; the
 * database it replaces is kept beside it, with its -wal, as
 * hushdesk.db.before-restore-<time>, and the stale -shm is removed.
 */
export function restoreDatabase(
  dataDir: string,
  backup: string,
  now: Date,
): { report: DatabaseReport; previous: string | null } {
  const live = databaseFile(dataDir);
  const incoming = `${live}.restoring`;
  checkDatabaseFile(resolve(backup));
  rmSync(incoming, { force: true });
  createPrivateFile(incoming);
  copyFileSync(resolve(backup), incoming);
  let report: DatabaseReport;
  try {
    syncFile(incoming);
    report = { ...checkDatabaseFile(incoming), file: resolve(backup) };
  } catch (error) {
    rmSync(incoming, { force: true });
    throw error;
  }

  let previous: string | null = null;
  if (existsSync(live)) {
    previous = `${live}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(live, previous);
    // The -wal belongs to the old file: it goes with it, so nothing it held is lost.
    if (existsSync(`${live}-wal`)) renameSync(`${live}-wal`, `${previous}-wal`);
  }
  rmSync(`${live}-shm`, { force: true });
  rmSync(`${live}-wal`, { force: true });
  renameSync(incoming, live);
  syncFolder(dataDir);
  return { report, previous };
}

export const BACKUP_FOLDER = 'backups';

function backupName(now: Date): string {
  return `hushdesk-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`;
}

function backupTime(file: string): number {
  const m = /hushdesk-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.db$/.exec(file);
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : 0;
}

/** The automatic backups, oldest first (their names sort by time). */
export function listAutomaticBackups(dataDir: string): string[] {
  const folder = join(dataDir, BACKUP_FOLDER);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /^hushdesk-\d{8}T\d{6}Z\.db$/.test(f))
    .sort()
    .map((f) => join(folder, f));
}

/**
 * The nightly backup into DATA_DIR/backups: made when none was taken since the
 * last scheduled time (or, without one, when the newest is a day old), then
 * only the newest `keep` are kept.
 * Returns the new backup's report, or null when none was due.
 */
export async function automaticBackup(
  dataDir: string,
  keep: number,
  now: Date,
  scheduledAt?: Date,
): Promise<DatabaseReport | null> {
  const newest = listAutomaticBackups(dataDir).at(-1);
  if (newest) {
    const taken = backupTime(newest);
    if (scheduledAt ? taken >= scheduledAt.getTime() : now.getTime() - taken < 23 * 3_600_000) {
      return null;
    }
  }
  const folder = join(dataDir, BACKUP_FOLDER);
  // Owner-only: the backups hold the same data as the database.
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const report = await backupDatabase(dataDir, join(folder, backupName(now)));
  const all = listAutomaticBackups(dataDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    if (basename(old) !== basename(report.file)) unlinkSync(old);
  }
  return report;
}
