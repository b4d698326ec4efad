import { rmSync } from 'node:fs';
import type { Db } from '../db/index.js';
import { recordAudit } from '../repositories/audit.js';
import {
  ENCRYPTED_BYTE_COLUMNS,
  ENCRYPTED_COLUMNS,
  rewriteEncryptedBytes,
  rewriteEncryptedColumn,
} from '../repositories/phi.js';
import {
  installNewKeyFile,
  KEY_FILE,
  keyFilePath,
  NEW_KEY_FILE,
  openPhiKey,
  setKeyCheck,
  syncFolder,
  writeKeyFile,
} from './key.js';
import { decryptPhi, decryptPhiBytes, encryptPhi, encryptPhiBytes, PhiKey } from './phi.js';

export interface RotationReport {
  oldKeyId: string;
  newKeyId: string;
  /** Values re-encrypted, per "table.column". */
  counts: Record<string, number>;
  /** Where the new key is now: the key file, or a file whose contents go into HUSHDESK_KEY. */
  newKeyPath: string;
  usesEnvKey: boolean;
}

/**
 * Re-encrypts every encrypted value under a new key, in one transaction
 * together with the key check, so the database is either all old or all new.
 *
 * Order, so that no crash leaves data under a key that is nowhere on disk:
 * 1. the new key goes to hushdesk.key.new (synced);
 * 2. the transaction re-encrypts and updates the key check, and commits;
 * 3. hushdesk.key becomes hushdesk.key.old, hushdesk.key.new becomes
 *    hushdesk.key, and the old one is removed.
 * A crash between 2 and 3 leaves hushdesk.key.new fitting the database, and
 * start-up says so. With HUSHDESK_KEY the key cannot be written back into the
 * environment: the new key stays in hushdesk.key.new for the operator to move.
 * The server must be stopped (it holds the old key in memory); the caller checks.
 */
export async function rotatePhiKey(
  db: Db,
  options: { dataDir: string; envKey: PhiKey | null },
  now: Date,
): Promise<RotationReport> {
  const { key: current } = await openPhiKey(db, options, now);
  const next = PhiKey.generate();
  const newKeyPath = keyFilePath(options.dataDir, NEW_KEY_FILE);
  // A left-over .new from an earlier, rolled-back attempt fits nothing: replace it.
  writeKeyFile(newKeyPath, next, { replace: true });
  syncFolder(options.dataDir);

  const counts: Record<string, number> = {};
  const reencrypt = db.transaction().execute(async (trx) => {
    for (const c of ENCRYPTED_COLUMNS) {
      counts[`${c.table}.${c.column}`] = await rewriteEncryptedColumn(trx, c, (stored) =>
        encryptPhi(next, decryptPhi(current, stored)),
      );
    }
    for (const c of ENCRYPTED_BYTE_COLUMNS) {
      counts[`${c.table}.${c.column}`] = await rewriteEncryptedBytes(trx, c, (stored) =>
        encryptPhiBytes(next, decryptPhiBytes(current, stored)),
      );
    }
    await setKeyCheck(trx, next, now);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    await recordAudit(
      trx,
      {
        actor: { label: 'command line' },
        action: 'key-rotated',
        detail: `${total} encrypted values moved from key ${current.id} to key ${next.id}`,
      },
      now,
    );
  });
  try {
    await reencrypt;
  } catch (error) {
    // Rolled back: the new key fits nothing, so it must not linger.
    rmSync(newKeyPath, { force: true });
    throw error;
  }

  const usesEnvKey = options.envKey !== null;
  if (!usesEnvKey) installNewKeyFile(options.dataDir);
  return {
    oldKeyId: current.id,
    newKeyId: next.id,
    counts,
    newKeyPath: usesEnvKey ? newKeyPath : keyFilePath(options.dataDir, KEY_FILE),
    usesEnvKey,
  };
}
