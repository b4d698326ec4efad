import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { ApiToken } from '../db/schema.js';

export function tokenNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A live (not revoked) token already holds this name, whatever the case. */
export async function liveTokenNameTaken(db: Db, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('api_tokens')
    .select('id')
    .where('name_key', '=', tokenNameKey(name))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The token's automation identity: a staff row with the Staff role that is
 * inactive and has no password, so it never signs in, is never offered as an
 * assignee and is never emailed. Its username holds a colon, which no person's
 * username may, so it can never collide with one.
 */
async function insertAutomationIdentity(db: Db, tokenName: string, now: Date): Promise<number> {
  const role = await db
    .selectFrom('roles')
    .select('id')
    .where('key', '=', 'staff')
    .executeTakeFirstOrThrow();
  const at = now.toISOString();
  // Renamed to token:<id> once the token row exists; the placeholder only has to be unique.
  const placeholder = `token:new-${randomBytes(8).toString('hex')}`;
  const row = await db
    .insertInto('staff')
    .values({
      name: `Automation: ${tokenName}`,
      username: placeholder,
      username_key: placeholder,
      email: 'automation@hushdesk.invalid',
      role_id: role.id,
      department: null,
      active: 0,
      password_hash: null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Creates the token row and its automation identity; returns the token's id and identity. */
export async function insertApiToken(
  db: Db,
  values: { name: string; tokenHash: string; createdBy: number | null },
  now: Date,
): Promise<{ id: number; staffId: number }> {
  const staffId = await insertAutomationIdentity(db, values.name, now);
  const row = await db
    .insertInto('api_tokens')
    .values({
      name: values.name,
      name_key: tokenNameKey(values.name),
      token_hash: values.tokenHash,
      staff_id: staffId,
      created_by: values.createdBy,
      created_at: now.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const username = `token:${row.id}`;
  await db
    .updateTable('staff')
    .set({ username, username_key: username })
    .where('id', '=', staffId)
    .execute();
  return { id: row.id, staffId };
}

export function findApiTokenByHash(db: Db, tokenHash: string): Promise<ApiToken | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export function findApiTokenById(db: Db, id: number): Promise<ApiToken | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether a staff row is a token's automation identity rather than a person. */
export async function isAutomationIdentity(db: Db, staffId: number): Promise<boolean> {
  const row = await db
    .selectFrom('api_tokens')
    .select('id')
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface ApiTokenRow {
  id: number;
  name: string;
  created_at: string;
  created_by_name: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
  revoked_by_name: string | null;
}

/** Live tokens first, newest first. */
export function listApiTokens(db: Db): Promise<ApiTokenRow[]> {
  return db
    .selectFrom('api_tokens')
    .leftJoin('staff as creator', 'creator.id', 'api_tokens.created_by')
    .leftJoin('staff as revoker', 'revoker.id', 'api_tokens.revoked_by')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.created_at',
      'creator.name as created_by_name',
      'api_tokens.last_used_at',
      'api_tokens.last_used_ip',
      'api_tokens.revoked_at',
      'revoker.name as revoked_by_name',
    ])
    .orderBy((eb) => eb('api_tokens.revoked_at', 'is not', null))
    .orderBy('api_tokens.id', 'desc')
    .execute();
}

export async function markApiTokenUsed(db: Db, id: number, ip: string, now: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now.toISOString(), last_used_ip: ip })
    .where('id', '=', id)
    .execute();
}

/** False when it was already revoked. */
export async function revokeApiToken(
  db: Db,
  id: number,
  revokedBy: number | null,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString(), revoked_by: revokedBy })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
