import type { Db } from '../db/index.js';

/** Reads one setting, or the fallback when it was never set. Values are JSON. */
export async function getSetting<T>(db: Db, key: string, fallback: T): Promise<T> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : fallback;
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
