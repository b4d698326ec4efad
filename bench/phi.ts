import { openPhiKey } from '../src/crypto/key.js';
import { phiCipher } from '../src/crypto/phi.js';
import type { Db } from '../src/db/index.js';

/**
 * THE ENCRYPTION HOOK. Descriptions and note bodies may hold PHI, and the app
 * stores them encrypted with AES-256-GCM (HIPAA 164.312(a)(2)(iv)). Every
 * description and note body the seeder writes goes through the function made
 * here, so the seeded rows are exactly the app's own: the key is opened (made,
 * on a fresh data directory) as the server opens it, into DATA_DIR/hushdesk.key,
 * with the key check in the database, and each value gets its own nonce.
 */
export async function createPhiSealer(
  db: Db,
  dataDir: string,
  now: Date,
): Promise<(plaintext: string) => string> {
  // The bench's own data directory: a HUSHDESK_KEY in the environment is not for it.
  const opened = await openPhiKey(db, { dataDir, envKey: null }, now);
  const cipher = phiCipher(opened.key);
  return (plaintext) => cipher.encrypt(plaintext);
}
