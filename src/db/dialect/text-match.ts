import { type Expression, type SqlBool, sql } from 'kysely';
import type { Store } from './store.js';

/**
 * `column like pattern`, in any case. SQLite's LIKE ignores case (ASCII);
 * PostgreSQL's does not, and ILIKE is its case-blind form. The pattern
 * escapes `%` and `_` with a backslash.
 */
export function likeAnyCase(
  store: Store,
  column: Expression<string | null>,
  pattern: string,
): Expression<SqlBool> {
  return store === 'postgres'
    ? sql<SqlBool>`${column} ilike ${pattern} escape '\\'`
    : sql<SqlBool>`${column} like ${pattern} escape '\\'`;
}
