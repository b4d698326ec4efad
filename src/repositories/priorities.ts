import { keptWhileUnchanged } from '../db/dialect/change-marks.js';
import type { Db } from '../db/index.js';
import type { Priority } from '../db/schema.js';

/** Read by every ticket form, list and page: kept while the store's change mark stands. */
const storedPriorities = keptWhileUnchanged((db) =>
  db.selectFrom('priorities').selectAll().orderBy('rank').execute(),
);

/** The agency's priority list, least urgent first (None … Crisis): the caller's own copy. */
export async function listPriorities(db: Db): Promise<Priority[]> {
  return (await storedPriorities(db)).map((priority) => ({ ...priority }));
}

export function findPriorityByKey(db: Db, key: string): Promise<Priority | undefined> {
  return db.selectFrom('priorities').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Sets a priority's response target (Settings); the row keeps who changed it and when. */
export async function updatePriorityTarget(
  db: Db,
  id: number,
  target: { responseMinutes: number | null; label: string },
  staffId: number | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable('priorities')
    .set({
      response_minutes: target.responseMinutes,
      target_label: target.label,
      updated_at: now.toISOString(),
      updated_by: staffId,
    })
    .where('id', '=', id)
    .execute();
}

/** The most recent change to any response target made by someone (not by installation). */
export function findLastPriorityChange(
  db: Db,
): Promise<{ updated_at: string; updated_by_name: string } | undefined> {
  return db
    .selectFrom('priorities')
    .innerJoin('staff', 'staff.id', 'priorities.updated_by')
    .select(['priorities.updated_at', 'staff.name as updated_by_name'])
    .orderBy('priorities.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
