import { copyFileSync, existsSync, mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFilePath, readKeyFile } from '../crypto/key.js';
import { BackupError, checkDatabaseFile } from '../db/backup.js';
import { databaseFile } from '../db/index.js';
import { getKeyCopyConfirmation } from '../repositories/ops.js';
import { newestBackup } from './backups.js';
import {
  BACKUP_MAX_AGE_HOURS,
  bytes,
  type Check,
  type DoctorContext,
  GIB,
  HOUR,
  hoursAgo,
  needs,
  ok,
} from './doctor-check.js';

/** The doctor's checks on what is on disk: the data directory, the key, the backups. */

export function checkDataDirectory(ctx: DoctorContext): Check {
  const dir = ctx.config.dataDir;
  const name = 'data directory';
  if (!existsSync(dir)) {
    return needs(
      'fail',
      name,
      `${dir} does not exist`,
      'Start hushdesk once (it creates it), or fix DATA_DIR.',
    );
  }
  const stat = statSync(dir);
  const uid = process.getuid?.() ?? stat.uid;
  if (stat.uid !== uid) {
    return needs(
      'fail',
      name,
      `${dir} belongs to uid ${stat.uid}, but hushdesk runs as uid ${uid}`,
      `Give it to the service user: chown -R hushdesk:hushdesk ${dir}`,
    );
  }
  if (stat.mode & 0o077) {
    return needs(
      'warn',
      name,
      `${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)})`,
      `It holds the database, the key and the backups: chmod 700 ${dir}`,
    );
  }
  const db = databaseFile(dir);
  const dbBytes = existsSync(db) ? statSync(db).size : 0;
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const needed = ctx.minFreeBytes ?? Math.max(GIB, 2 * dbBytes);
  if (free < needed) {
    return needs(
      'fail',
      name,
      `${bytes(free)} free where ${dir} is, the database is ${bytes(dbBytes)}`,
      `Free space (at least ${bytes(needed)}: backups need room), or move DATA_DIR to a larger disk.`,
    );
  }
  return ok(name, `${dir}: owned by hushdesk, owner-only, ${bytes(free)} free`);
}

export async function checkKey(ctx: DoctorContext): Promise<Check> {
  const name = 'encryption key';
  let keyId: string;
  if (ctx.config.phiKey) {
    keyId = ctx.config.phiKey.id;
  } else {
    const path = keyFilePath(ctx.config.dataDir);
    if (!existsSync(path)) {
      return needs(
        'warn',
        name,
        `no key at ${path} yet`,
        'hushdesk makes it at its first start; then copy it somewhere safe, apart from the backups.',
      );
    }
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      return needs(
        'fail',
        name,
        `${path} can be read by other users (mode ${mode.toString(8)})`,
        `chmod 600 ${path}`,
      );
    }
    const key = readKeyFile(path);
    if (!key) {
      return needs(
        'fail',
        name,
        `${path} does not hold a key`,
        'Put the saved key file back in its place.',
      );
    }
    keyId = key.id;
  }
  const confirmed = ctx.db ? await getKeyCopyConfirmation(ctx.db) : null;
  if (!confirmed || confirmed.keyId !== keyId) {
    return needs(
      'warn',
      name,
      confirmed
        ? `key ${keyId} is in use, but the copy confirmed on ${confirmed.at.slice(0, 10)} was of key ${confirmed.keyId}`
        : `key ${keyId}: nobody has confirmed keeping a copy of it`,
      'Copy the key file (or HUSHDESK_KEY) to a password manager or a locked drawer, apart from the backups, then run `hushdesk key-saved` or press "I have saved a copy" on Settings → System.',
    );
  }
  return ok(
    name,
    `key ${keyId}, owner-only; a copy was confirmed on ${confirmed.at.slice(0, 10)} by ${confirmed.by}`,
  );
}

export function checkBackups(ctx: DoctorContext): Check {
  const name = 'backups';
  if (ctx.config.databaseUrl) {
    // PostgreSQL's own tools copy a live database; hushdesk neither takes nor sees those copies.
    return needs(
      'warn',
      name,
      'the store is PostgreSQL: hushdesk takes no backups of it and cannot check yours',
      'Schedule pg_dump and try a restore now and then (README, "Running on PostgreSQL", Backups).',
    );
  }
  const newest = newestBackup(ctx.config.dataDir);
  const schedule = 'Set BACKUP_KEEP (e.g. 14) for nightly backups, or run `hushdesk backup FILE`.';
  if (!newest) {
    return needs('fail', name, `no backup in ${join(ctx.config.dataDir, 'backups')}`, schedule);
  }
  const age = ctx.now.getTime() - newest.at.getTime();
  const work = mkdtempSync(join(tmpdir(), 'hushdesk-doctor-'));
  try {
    // Checked on a copy: the check must never touch the backup itself.
    const copy = join(work, 'restore-check.db');
    copyFileSync(newest.file, copy);
    checkDatabaseFile(copy);
  } catch (error) {
    const reason = error instanceof BackupError ? error.message : (error as Error).message;
    return needs(
      'fail',
      name,
      `the newest backup ${newest.file} would not restore: ${reason}`,
      'Take a new backup now (`hushdesk backup FILE`) and find out what damaged this one (disk errors?).',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (age > BACKUP_MAX_AGE_HOURS * HOUR) {
    return needs(
      'fail',
      name,
      `the newest backup, ${newest.file}, was taken ${hoursAgo(ctx.now, newest.at)}`,
      ctx.config.backupKeep > 0
        ? 'Nightly backups have stopped: look in the log for "housekeeping failed", and check free space.'
        : schedule,
    );
  }
  return ok(
    name,
    `${newest.file}, taken ${hoursAgo(ctx.now, newest.at)}, restores (integrity check on a copy)`,
  );
}
