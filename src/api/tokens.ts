import { hashToken, randomToken } from '../auth/tokens.js';
import { auditChange, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import {
  findApiTokenById,
  insertApiToken,
  liveTokenNameTaken,
  revokeApiToken,
} from '../repositories/api-tokens.js';

/** Every token starts so: easy to recognise in a config file or a secret scanner. */
export const TOKEN_PREFIX = 'hd_';
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{1,59}$/;

export class TokenNameTakenError extends Error {
  constructor() {
    super('A token that is not revoked already has that name. Choose another.');
    this.name = 'TokenNameTakenError';
  }
}

export function validateTokenName(name: string): string | null {
  if (!name) return 'Name the token after what uses it, such as “billing-sync”.';
  if (!TOKEN_NAME.test(name))
    return 'Use 2 to 60 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.';
  return null;
}

/**
 * Makes a token and its automation identity. The token is returned to be shown
 * once; only its SHA-256 is kept.
 */
export async function issueApiToken(
  db: Db,
  { name, change }: { name: string; change: ChangeContext },
): Promise<{ id: number; token: string }> {
  const { actor, now } = change;
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  return db.transaction().execute(async (trx) => {
    if (await liveTokenNameTaken(trx, name)) throw new TokenNameTakenError();
    const { id } = await insertApiToken(
      trx,
      { name, tokenHash: hashToken(token), createdBy: actor.id },
      now,
    );
    await auditChange(trx, change, { action: 'api-token-created', detail: `API token “${name}”` });
    return { id, token };
  });
}

/** Revokes a token at once: its next request is refused. False if it already was. */
export async function withdrawApiToken(
  db: Db,
  { id, change }: { id: number; change: ChangeContext },
): Promise<boolean> {
  const { actor, now } = change;
  return db.transaction().execute(async (trx) => {
    const token = await findApiTokenById(trx, id);
    if (!token || !(await revokeApiToken(trx, id, actor.id, now))) return false;
    await auditChange(trx, change, {
      action: 'api-token-revoked',
      detail: `API token “${token.name}”`,
    });
    return true;
  });
}
