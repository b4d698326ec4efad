import { hashToken, randomToken } from '../auth/tokens.js';
import type { Db } from '../db/index.js';
import { createSetupToken } from '../repositories/setup-tokens.js';
import { countStaff } from '../repositories/staff.js';

export const SETUP_LINK_HOURS = 1;

/**
 * On a store with nobody in it, makes the one-time link where the first
 * administrator creates their account. Null once anyone exists.
 */
export async function createSetupLink(db: Db, baseUrl: string, now: Date): Promise<string | null> {
  if ((await countStaff(db)) > 0) return null;
  const token = randomToken();
  const expires = new Date(now.getTime() + SETUP_LINK_HOURS * 3_600_000);
  await createSetupToken(db, hashToken(token), now, expires);
  return `${baseUrl}/setup/${token}`;
}
