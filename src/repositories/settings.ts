import { keptWhileUnchanged } from '../db/dialect/change-marks.js';
import type { Db } from '../db/index.js';

/**
 * Every setting, as stored: a handful of short rows, asked for three or four
 * times by each ticket saved or shown. Read once while the store's change mark
 * stands (so once per group of writes under load, not once per question);
 * where there is no mark (PostgreSQL, or inside a transaction, which so sees
 * its own writes) they are read at each call.
 */
const storedSettings = keptWhileUnchanged(
  async (db): Promise<ReadonlyMap<string, string>> =>
    new Map(
      (await db.selectFrom('settings').select(['key', 'value']).execute()).map((row) => [
        row.key,
        row.value,
      ]),
    ),
);

/**
 * Reads one setting, or the fallback when it was never set. Values are JSON,
 * parsed for each caller, so no caller can change what another one reads.
 */
export async function getSetting<T>(db: Db, key: string, fallback: T): Promise<T> {
  const value = (await storedSettings(db)).get(key);
  return value === undefined ? fallback : (JSON.parse(value) as T);
}

export async function setSetting(
  db: Db,
  key: string,
  value: unknown,
  staffId: number | null,
  now: Date,
): Promise<void> {
  const row = {
    key,
    value: JSON.stringify(value),
    updated_at: now.toISOString(),
    updated_by: staffId,
  };
  await db
    .insertInto('settings')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: staffId }),
    )
    .execute();
}

/** The settings keys the Settings page edits; other code reads them through the functions below. */
export const SETTING_KEYS = {
  agencyName: 'agency_name',
  timeZone: 'time_zone',
  billingCoordinatorId: 'billing_coordinator_id',
  escalationDeskName: 'escalation_desk_name',
  escalationDeskEmail: 'escalation_desk_email',
} as const;

export const DEFAULT_AGENCY_NAME = 'hushdesk';

/** The name shown in every page's header. Pages read it from memory: see src/decorators/agency.ts. */
export async function getAgencyName(db: Db): Promise<string> {
  const name = await getSetting<string | null>(db, SETTING_KEYS.agencyName, null);
  return name?.trim() ? name : DEFAULT_AGENCY_NAME;
}

/**
 * The agency's IANA time zone as set in Settings, or null to use the server's
 * (TZ). Request code reads `agencyTimeZone(app)` instead, which never queries.
 */
export async function getTimeZone(db: Db): Promise<string | null> {
  return getSetting<string | null>(db, SETTING_KEYS.timeZone, null);
}

/** The staff member [auto-assignment] routes to, or null when none is designated. */
export async function getBillingCoordinatorId(db: Db): Promise<number | null> {
  const id = await getSetting<number | null>(db, SETTING_KEYS.billingCoordinatorId, null);
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

export interface EscalationDesk {
  name: string;
  email: string;
}

/** The outside support desk tickets are sent to, or null until Settings names one. */
export async function getEscalationDesk(db: Db): Promise<EscalationDesk | null> {
  const [name, email] = await Promise.all([
    getSetting<string | null>(db, SETTING_KEYS.escalationDeskName, null),
    getSetting<string | null>(db, SETTING_KEYS.escalationDeskEmail, null),
  ]);
  if (!name || !email) return null;
  return { name, email };
}

export interface SettingChange {
  key: string;
  updated_at: string;
  /** Null for values hushdesk set itself. */
  updated_by_name: string | null;
}

/** The most recent change among these keys, with who made it; undefined if none was ever saved. */
export function findLastSettingChange(
  db: Db,
  keys: readonly string[],
): Promise<SettingChange | undefined> {
  return db
    .selectFrom('settings')
    .leftJoin('staff', 'staff.id', 'settings.updated_by')
    .select(['settings.key', 'settings.updated_at', 'staff.name as updated_by_name'])
    .where('settings.key', 'in', [...keys])
    .orderBy('settings.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
