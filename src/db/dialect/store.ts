import { PostgresAdapter } from 'kysely';
import type { Db } from '../index.js';

/** The two stores hushdesk runs on. */
export type Store = 'sqlite' | 'postgres';

/**
 * Which store `db` (or a transaction of it) speaks to. Read from the dialect
 * Kysely was built with rather than from a setting held globally, because one
 * process can hold both at once (`hushdesk copy-store`, the tests).
 */
export function storeOf(db: Pick<Db, 'getExecutor'>): Store {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
