import type { Db } from '../db/index.js';
import type { Priority } from '../db/schema.js';

/** The agency's priority list, least urgent first (None … Crisis). */
export function listPriorities(db: Db): Promise<Priority[]> {
  return db.selectFrom('priorities').selectAll().orderBy('rank').execute();
}

export function findPriorityByKey(db: Db, key: string): Promise<Priority | undefined> {
  return db.selectFrom('priorities').selectAll().where('key', '=', key).executeTakeFirst();
}
