import type { Config } from '../config.js';
import { KEY_FILE, keyFilePath, keyFitsCheck, readKeyFile } from '../crypto/key.js';
import {
  backupDatabase,
  checkDatabaseFile,
  type DatabaseReport,
  restoreDatabase,
} from '../db/backup.js';
import { assertServerStopped } from '../server-lock.js';
import { CliError } from './cli-error.js';

/** `hushdesk backup` and `hushdesk restore` of the SQLite file, and what each says about it. */

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function describeDatabase(report: DatabaseReport): string {
  const width = Math.max(...report.tables.map((t) => t.name.length));
  const rows = report.tables.map((t) => `  ${t.name.padEnd(width)}  ${t.rows}`);
  const key = report.keyId
    ? `PHI in it needs encryption key ${report.keyId}, which is not in the file.`
    : 'It holds no encryption key check.';
  return [
    `${report.file}: ${size(report.bytes)}, integrity check ok.`,
    key,
    'Rows per table:',
    ...rows,
  ].join('\n');
}

/** PostgreSQL has its own tools for a consistent copy of a live database. */
const POSTGRES_BACKUP = [
  'DATABASE_URL is set: hushdesk keeps its data in PostgreSQL, which backs up with its own tools.',
  'Back up:  pg_dump --format=custom --file=hushdesk.dump "$DATABASE_URL"',
  'Restore:  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" hushdesk.dump',
  'PHI in the dump stays encrypted; keep the key file (or HUSHDESK_KEY) apart from the dumps.',
].join('\n');

export async function backup(config: Config, args: string[]): Promise<string> {
  const [file, ...extra] = args;
  if (!file || extra.length > 0) throw new CliError('Usage: hushdesk backup FILE');
  if (config.databaseUrl) throw new CliError(POSTGRES_BACKUP);
  const report = await backupDatabase(config.dataDir, file);
  return `Backed up.\n${describeDatabase(report)}\nCopy it off this machine, and keep the key file (${KEY_FILE}) somewhere else.`;
}

export async function restore(config: Config, args: string[]): Promise<string> {
  const [file, ...extra] = args;
  if (!file || extra.length > 0) throw new CliError('Usage: hushdesk restore FILE');
  if (config.databaseUrl) throw new CliError(POSTGRES_BACKUP);
  assertServerStopped(config.dataDir);
  const report = checkDatabaseFile(file);
  if (report.keyCheck) {
    const path = keyFilePath(config.dataDir);
    const key = config.phiKey ?? readKeyFile(path);
    const source = config.phiKey ? 'HUSHDESK_KEY' : path;
    if (!key) {
      throw new CliError(
        `This backup's PHI is encrypted with key ${report.keyCheck.keyId}. Put that key's file at ${path} (or set HUSHDESK_KEY) before restoring.`,
      );
    }
    if (!keyFitsCheck(key, report.keyCheck)) {
      throw new CliError(
        `This backup needs encryption key ${report.keyCheck.keyId}, but ${source} holds key ${key.id}. Put the key that was in use when the backup was taken in its place first.`,
      );
    }
  }
  const { report: restored, previous } = restoreDatabase(config.dataDir, file, new Date());
  const kept = previous
    ? `The database it replaced is kept as ${previous}; delete it once hushdesk runs well.`
    : '';
  return `Restored.\n${describeDatabase(restored)}\n${kept}\nStart hushdesk now.`.replace(
    /\n\n/g,
    '\n',
  );
}
