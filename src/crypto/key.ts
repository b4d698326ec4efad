import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/index.js';
import { findAnyEncryptedValue } from '../repositories/phi.js';
import { getSetting, setSetting } from '../repositories/settings.js';
import { decryptPhi, encryptPhi, PhiKey } from './phi.js';

/**
 * Where the PHI key comes from, and the check that it belongs to the database.
 *
 * The key is HUSHDESK_KEY or DATA_DIR/hushdesk.key (base64 of 32 bytes, mode
 * 0600). It never goes into the database, the logs or a backup: the database
 * holds only a key check, a known text encrypted with the key, so that a
 * missing or wrong key stops start-up instead of a new key being made over
 * data nobody could read any more.
 */
export const KEY_FILE = 'hushdesk.key';
/** A new key, written before the database is re-encrypted under it. */
export const NEW_KEY_FILE = 'hushdesk.key.new';
/** The previous key, kept while a rotation finishes. */
export const OLD_KEY_FILE = 'hushdesk.key.old';

const KEY_CHECK_SETTING = 'phi_key_check';
const KEY_CHECK_TEXT = 'hushdesk key check';

export interface KeyCheck {
  keyId: string;
  value: string;
}

export class PhiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhiKeyError';
  }
}

export interface OpenedKey {
  key: PhiKey;
  /** Where it came from, in words for messages: "HUSHDESK_KEY" or the file's path. */
  source: string;
  /** True when this start made the key (a fresh database). */
  created: boolean;
  /** Things an operator should fix that do not stop start-up. */
  warnings: string[];
}

export function keyFilePath(dataDir: string, name = KEY_FILE): string {
  return join(dataDir, name);
}

/** The key in a key file; null when there is no such file. */
export function readKeyFile(path: string): PhiKey | null {
  if (!existsSync(path)) return null;
  const key = PhiKey.fromBase64(readFileSync(path, 'utf8'));
  if (!key) {
    throw new PhiKeyError(
      `${path} is not a hushdesk key (it should hold 32 random bytes in base64). Put back the right file.`,
    );
  }
  return key;
}

/** Writes a key file readable by its owner only, and on disk before this returns. */
export function writeKeyFile(path: string, key: PhiKey, options: { replace?: boolean } = {}): void {
  const fd = openSync(path, options.replace ? 'w' : 'wx', 0o600);
  try {
    writeSync(fd, `${key.toBase64()}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes renames durable: on Linux a rename is on disk only once its folder is synced. */
export function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a folder for syncing; the rename still happened.
  }
}

export function getKeyCheck(db: Db): Promise<KeyCheck | null> {
  return getSetting<KeyCheck | null>(db, KEY_CHECK_SETTING, null);
}

export async function setKeyCheck(db: Db, key: PhiKey, now: Date): Promise<void> {
  const check: KeyCheck = { keyId: key.id, value: encryptPhi(key, KEY_CHECK_TEXT) };
  await setSetting(db, KEY_CHECK_SETTING, check, null, now);
}

export function keyFitsCheck(key: PhiKey, check: KeyCheck): boolean {
  try {
    return decryptPhi(key, check.value) === KEY_CHECK_TEXT;
  } catch {
    return false;
  }
}

function keyFitsValue(key: PhiKey, stored: string): boolean {
  try {
    decryptPhi(key, stored);
    return true;
  } catch {
    return false;
  }
}

/** When the key does not fit, a left-over key file from a rotation may: say which. */
function leftOverHint(dataDir: string, fits: (key: PhiKey) => boolean): string {
  for (const name of [NEW_KEY_FILE, OLD_KEY_FILE]) {
    const path = keyFilePath(dataDir, name);
    let key: PhiKey | null = null;
    try {
      key = readKeyFile(path);
    } catch {
      continue;
    }
    if (key && fits(key)) {
      return ` ${path} fits it: a key rotation was interrupted. Move ${name} to ${KEY_FILE} (or set HUSHDESK_KEY to its contents) and start again.`;
    }
  }
  return '';
}

/**
 * Finds the key and checks it against the database. On a database that has
 * never had a key, makes one in DATA_DIR/hushdesk.key. Throws PhiKeyError with
 * a message for the operator when the key is missing, unreadable or wrong.
 */
export async function openPhiKey(
  db: Db,
  options: { dataDir: string; envKey: PhiKey | null },
  now: Date,
): Promise<OpenedKey> {
  const path = keyFilePath(options.dataDir);
  const fileKey = readKeyFile(path);
  const warnings: string[] = [];
  if (options.envKey && fileKey && options.envKey.id !== fileKey.id) {
    throw new PhiKeyError(
      `HUSHDESK_KEY and ${path} hold different keys. Keep only the one that fits the database.`,
    );
  }
  if (fileKey && (statSync(path).mode & 0o077) !== 0) {
    warnings.push(`${path} can be read by other users; run: chmod 600 ${path}`);
  }
  const key = options.envKey ?? fileKey;
  const source = options.envKey ? 'HUSHDESK_KEY' : path;
  const check = await getKeyCheck(db);
  const sample = check ? undefined : await findAnyEncryptedValue(db);

  if (!key) {
    if (check || sample !== undefined) {
      const which = check ? `is encrypted with key ${check.keyId}` : 'holds encrypted data';
      throw new PhiKeyError(
        `the encryption key is missing. The database in ${options.dataDir} ${which}, ` +
          `but ${path} does not exist and HUSHDESK_KEY is not set. Put back the key file you saved ` +
          'separately from your backups, or set HUSHDESK_KEY. hushdesk never makes a new key over existing data.' +
          leftOverHint(options.dataDir, (k) =>
            check ? keyFitsCheck(k, check) : keyFitsValue(k, sample ?? ''),
          ),
      );
    }
    const made = PhiKey.generate();
    writeKeyFile(path, made);
    syncFolder(options.dataDir);
    await setKeyCheck(db, made, now);
    return { key: made, source: path, created: true, warnings };
  }

  if (check) {
    if (!keyFitsCheck(key, check)) {
      throw new PhiKeyError(
        `the encryption key does not fit this database: ${source} holds key ${key.id}, ` +
          `the database was encrypted with key ${check.keyId}.` +
          leftOverHint(options.dataDir, (k) => keyFitsCheck(k, check)),
      );
    }
  } else {
    // Data but no check (made by hand, or before checks existed): the data decides.
    if (sample !== undefined && !keyFitsValue(key, sample)) {
      throw new PhiKeyError(
        `the encryption key does not fit this database: ${source} holds key ${key.id}, ` +
          'which cannot decrypt the data in it.',
      );
    }
    await setKeyCheck(db, key, now);
  }
  return { key, source, created: false, warnings };
}

/** Replaces hushdesk.key with hushdesk.key.new, keeping the old one until the new one is in place. */
export function installNewKeyFile(dataDir: string): void {
  const current = keyFilePath(dataDir);
  const old = keyFilePath(dataDir, OLD_KEY_FILE);
  renameSync(current, old);
  renameSync(keyFilePath(dataDir, NEW_KEY_FILE), current);
  syncFolder(dataDir);
  unlinkSync(old);
  syncFolder(dataDir);
}
