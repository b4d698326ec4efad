import { existsSync } from 'node:fs';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { keyFilePath, readKeyFile } from '../crypto/key.js';
import { checkStore, createDb, type Db, databaseFile } from '../db/index.js';
import { confirmKeyCopy } from '../repositories/ops.js';
import { getTimeZone } from '../repositories/settings.js';
import { allWell, formatChecks, runDoctor } from './doctor.js';
import type { Check } from './doctor-check.js';

type Env = Record<string, string | undefined>;

/** `hushdesk doctor`: the report, and whether all is well (exit 0) or something needs action (1). */
export async function runDoctorCommand(
  env: Env,
  now = new Date(),
  options: { minFreeBytes?: number } = {},
): Promise<{ output: string; ok: boolean }> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const check: Check = {
      name: 'configuration',
      verdict: 'fail',
      detail: error.message,
      action: `Fix ${error.variable} in the environment file (/etc/hushdesk/hushdesk.env) or .env; the other checks need a valid configuration.`,
    };
    return { output: formatChecks([check]), ok: false };
  }
  const db = openStore(config);
  try {
    if (db) await checkStore(db);
  } catch (error) {
    await db?.destroy();
    const check: Check = {
      name: 'database',
      verdict: 'fail',
      detail: (error as Error).message,
      action:
        'Check DATABASE_URL and that the PostgreSQL server answers; the other checks need the database.',
    };
    return { output: formatChecks([check]), ok: false };
  }
  try {
    const checks = await runDoctor({
      config,
      db,
      now,
      timeZone: (db ? await getTimeZone(db) : null) ?? config.timeZone,
      tzFromEnvironment: Boolean(env.TZ?.trim()),
      ...options,
    });
    const ok = allWell(checks);
    const summary = ok ? 'All is well.' : 'Something needs action: see the lines marked with ->.';
    return { output: `${formatChecks(checks)}\n\n${summary}`, ok };
  } finally {
    await db?.destroy();
  }
}

/** `hushdesk key-saved`: records that a copy of the key in use is kept somewhere safe. */
export async function confirmKeySaved(
  config: Config,
  by: string,
  now = new Date(),
): Promise<string> {
  const key = config.phiKey ?? readKeyFile(keyFilePath(config.dataDir));
  if (!key)
    throw new Error(
      `there is no key yet at ${keyFilePath(config.dataDir)}: start hushdesk once first.`,
    );
  const db = openStore(config);
  if (!db) throw new Error('there is no database yet: start hushdesk once first.');
  try {
    await confirmKeyCopy(db, { keyId: key.id, at: now.toISOString(), by }, null);
  } finally {
    await db.destroy();
  }
  return `Noted: a copy of key ${key.id} is kept apart from this machine and its backups.`;
}

/** The store DATABASE_URL names, or the SQLite file in DATA_DIR if there is one yet (null if not). */
function openStore(config: Config): Db | null {
  if (config.databaseUrl) return createDb(config.dataDir, config.databaseUrl);
  return existsSync(databaseFile(config.dataDir)) ? createDb(config.dataDir) : null;
}
