import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config.js';
import { rotatePhiKey } from '../crypto/rotate.js';
import { copyStore } from '../db/copy-store.js';
import { checkStore, createDb, databaseFile } from '../db/index.js';
import { assertServerStopped } from '../server-lock.js';
import { CliError } from './cli-error.js';
import { withUpgradedStore } from './open-store.js';

/** `hushdesk migrate`, `rotate-key` and `copy-store`: commands that change the whole store. */

export async function migrate(config: Config): Promise<string> {
  return withUpgradedStore(config, async (_db, result) => {
    const ran = result.migrated.length;
    if (ran === 0) return 'The database is up to date.';
    const kept = result.backup ? `\nThe database as it was is backed up in ${result.backup}.` : '';
    return `Applied ${ran} migration(s).${kept}`;
  });
}

export async function rotateKey(config: Config): Promise<string> {
  assertServerStopped(config.dataDir);
  return withUpgradedStore(config, async (db) => {
    const report = await rotatePhiKey(
      db,
      { dataDir: config.dataDir, envKey: config.phiKey },
      new Date(),
    );
    const counts = Object.entries(report.counts).map(([column, n]) => `  ${column}: ${n}`);
    const next = report.usesEnvKey
      ? `HUSHDESK_KEY is set: put the contents of ${report.newKeyPath} into HUSHDESK_KEY, then delete that file. hushdesk will not start until you do.`
      : `The new key is in ${report.newKeyPath}. Copy it to where you keep the key, apart from the backups.`;
    return [
      `Re-encrypted everything under key ${report.newKeyId} (was ${report.oldKeyId}):`,
      ...counts,
      next,
      `Backups taken before now still need the old key ${report.oldKeyId}: keep it as long as you keep them, or take a new backup now.`,
    ].join('\n');
  });
}

export async function copyStoreCommand(config: Config, args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, from: { type: 'string' } },
    strict: true,
  });
  if (Boolean(values.to) === Boolean(values.from)) {
    throw new CliError('Usage: hushdesk copy-store --to postgres://… | --from postgres://…');
  }
  const other = (values.to ?? values.from) as string;
  let url: string;
  try {
    url = loadConfig({ DATABASE_URL: other }).databaseUrl as string;
  } catch (error) {
    const flag = values.to ? '--to' : '--from';
    throw new CliError((error as Error).message.replace(/^DATABASE_URL/, flag));
  }
  assertServerStopped(config.dataDir);
  const local = createDb(config.dataDir);
  const remote = createDb(config.dataDir, url);
  try {
    await checkStore(remote);
    const copies = values.to ? await copyStore(local, remote) : await copyStore(remote, local);
    const width = Math.max(...copies.map((c) => c.name.length));
    return [
      `Copied ${values.to ? 'into PostgreSQL' : `into ${databaseFile(config.dataDir)}`}; every table's rows and checksum match:`,
      ...copies.map((c) => `  ${c.name.padEnd(width)}  ${c.rows}  ${c.checksum.slice(0, 12)}`),
      values.to
        ? 'Set DATABASE_URL to it (and keep the same encryption key) to serve from PostgreSQL.'
        : 'Unset DATABASE_URL (and keep the same encryption key) to serve from the SQLite file.',
    ].join('\n');
  } finally {
    await local.destroy();
    await remote.destroy();
  }
}
