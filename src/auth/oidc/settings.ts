import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { PhiCipher } from '../../crypto/phi.js';
import type { Db } from '../../db/index.js';
import { findSsoProvider } from '../../repositories/sso.js';
import { findStaffByUsername } from '../../repositories/staff.js';

/** Single sign-on as it is in force, from the environment or from Settings. */
export interface SsoSettings {
  source: 'environment' | 'settings';
  name: string;
  issuer: string;
  clientId: string;
  /** In clear, in memory only; null when none was saved. */
  clientSecret: string | null;
  enabled: boolean;
  required: boolean;
  breakGlassStaffId: number | null;
  createDomain: string | null;
  createRoleId: number | null;
}

/** The path the provider sends people back to; administrators register it there. */
export const CALLBACK_PATH = '/sign-in/sso/callback';

export function redirectUrl(config: Config): string {
  return `${config.baseUrl}${CALLBACK_PATH}`;
}

export function postLogoutUrl(config: Config): string {
  return `${config.baseUrl}/sign-in?signed-out=1`;
}

async function findRoleIdByKeyOrName(db: Db, value: string): Promise<number | null> {
  const row = await db
    .selectFrom('roles')
    .select('id')
    .where((eb) =>
      eb.or([eb('key', '=', value), eb(sql<string>`lower(name)`, '=', value.toLowerCase())]),
    )
    .orderBy('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Undefined when single sign-on was never set up. */
export async function loadSsoSettings(
  db: Db,
  config: Config,
  phi: PhiCipher,
): Promise<SsoSettings | undefined> {
  const env = config.sso;
  if (env) {
    const breakGlass = env.breakGlassUsername
      ? await findStaffByUsername(db, env.breakGlassUsername)
      : undefined;
    return {
      source: 'environment',
      name: env.name,
      issuer: env.issuer,
      clientId: env.clientId,
      clientSecret: env.clientSecret,
      enabled: true,
      required: env.required,
      breakGlassStaffId: breakGlass?.id ?? null,
      createDomain: env.createDomain,
      createRoleId: env.createDomain ? await findRoleIdByKeyOrName(db, env.createRole) : null,
    };
  }
  const row = await findSsoProvider(db);
  if (!row) return undefined;
  return {
    source: 'settings',
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: phi.decrypt(row.client_secret),
    enabled: row.enabled === 1,
    required: row.enabled === 1 && row.required === 1,
    breakGlassStaffId: row.break_glass_staff_id,
    createDomain: row.create_domain,
    createRoleId: row.create_role_id,
  };
}

/** Single sign-on when it is switched on, for the sign-in page and the flow. */
export async function loadEnabledSso(
  db: Db,
  config: Config,
  phi: PhiCipher,
): Promise<SsoSettings | undefined> {
  const settings = await loadSsoSettings(db, config, phi);
  return settings?.enabled && settings.clientSecret ? settings : undefined;
}

/** When single sign-on is required, only the break-glass administrator may use a password. */
export function passwordAllowed(settings: SsoSettings | undefined, staffId: number): boolean {
  if (!settings?.enabled || !settings.required) return true;
  return settings.breakGlassStaffId === staffId;
}
