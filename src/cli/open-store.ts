import type { Config } from '../config.js';
import { createDb, type Db } from '../db/index.js';
import { type UpgradeReport, upgradeDatabase } from '../ops/upgrade.js';

/**
 * Opens the store the configuration names, brings it up to date first (a command
 * never writes to an older schema, and the upgrade backs the file up before it
 * migrates), runs `work`, and closes the store whatever happens.
 */
export async function withUpgradedStore<T>(
  config: Config,
  work: (db: Db, upgrade: UpgradeReport) => Promise<T>,
): Promise<T> {
  const db = createDb(config.dataDir, config.databaseUrl);
  try {
    return await work(db, await upgradeDatabase(db, config.dataDir, new Date()));
  } finally {
    await db.destroy();
  }
}
