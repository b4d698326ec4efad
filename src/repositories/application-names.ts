import type { Db } from '../db/index.js';

export interface ApplicationName {
  host: string;
  name: string;
}

/** The agency's other web applications that have a name, by host. */
export function listApplicationNames(db: Db): Promise<ApplicationName[]> {
  return db.selectFrom('application_names').select(['host', 'name']).orderBy('host').execute();
}

export async function findApplicationName(db: Db, host: string): Promise<string | null> {
  const row = await db
    .selectFrom('application_names')
    .select('name')
    .where('host', '=', host)
    .executeTakeFirst();
  return row?.name ?? null;
}

/** Puts `names` in place of the whole list (the Settings form edits it as one). */
export async function replaceApplicationNames(
  db: Db,
  names: ApplicationName[],
  by: number,
  now: Date,
): Promise<void> {
  await db.deleteFrom('application_names').execute();
  if (names.length === 0) return;
  await db
    .insertInto('application_names')
    .values(names.map((n) => ({ ...n, updated_by: by, updated_at: now.toISOString() })))
    .execute();
}
