import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_FOLDER } from '../db/backup.js';

export interface BackupFile {
  file: string;
  /** When it was written (the file's time: nightly and pre-upgrade backups alike). */
  at: Date;
  bytes: number;
}

/** Every backup hushdesk took into DATA_DIR/backups, nightly and pre-upgrade, newest first. */
export function listBackups(dataDir: string): BackupFile[] {
  const folder = join(dataDir, BACKUP_FOLDER);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /^hushdesk-\d{8}T\d{6}Z(-before-upgrade)?\.db$/.test(f))
    .map((f) => {
      const stat = statSync(join(folder, f));
      return { file: join(folder, f), at: stat.mtime, bytes: stat.size };
    })
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

export function newestBackup(dataDir: string): BackupFile | null {
  return listBackups(dataDir)[0] ?? null;
}

/** `hushdesk-20261130T020000Z-before-upgrade.db`: beside the nightly ones, never rotated away. */
export function upgradeBackupName(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `hushdesk-${stamp}-before-upgrade.db`;
}
