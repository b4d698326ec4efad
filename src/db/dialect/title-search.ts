import { type Expression, type SqlBool, sql } from 'kysely';
import type { Store } from './store.js';

/**
 * Title search. Each word typed must start a word of the title ("print" finds
 * "Printer"), in any case and with or without accents. This is the only place
 * that knows how each store indexes titles.
 *
 * SQLite: the FTS5 indexes from migrations/0050 (every title) and 0052 (open
 * tickets' titles only).
 * PostgreSQL: GIN indexes on `to_tsvector('simple', hushdesk_fold(title))`
 * (accents folded by a function of the same migrations, so no extension is
 * needed), queried with prefix terms (`'print':*`); 0052's is partial, on
 * open tickets.
 *
 * `openOnly`: the caller shows only open tickets, so the small index of open
 * titles answers. A prefix search merges every match in memory before any other
 * condition applies, and over years of closed tickets a common word matches
 * tens of thousands (docs/performance.md).
 */
export function titleMatches(
  store: Store,
  words: readonly string[],
  options: { openOnly: boolean },
): Expression<SqlBool> | null {
  return store === 'postgres' ? postgresMatch(words, options) : sqliteMatch(words, options);
}

function sqliteMatch(
  words: readonly string[],
  options: { openOnly: boolean },
): Expression<SqlBool> | null {
  const terms = words
    // FTS5 syntax and control characters (a NUL ends its query string early) are spaces.
    .map((w) => w.replace(/["*^:(){}[\]\\\p{Cc}\p{Cf}]/gu, ' ').trim())
    .flatMap((w) => w.split(/\s+/))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .map((w) => `"${w.replace(/"/g, '')}"*`);
  if (terms.length === 0) return null;
  const query = terms.join(' ');
  return options.openOnly
    ? sql<SqlBool>`tickets.id in (select rowid from tickets_open_title_fts where tickets_open_title_fts match ${query})`
    : sql<SqlBool>`tickets.id in (select rowid from tickets_title_fts where tickets_title_fts match ${query})`;
}

/** As hushdesk_fold does in the database: accents off, lower case. */
function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function postgresMatch(
  words: readonly string[],
  options: { openOnly: boolean },
): Expression<SqlBool> | null {
  // Letters and digits only: nothing typed can be read as tsquery syntax.
  const terms = words
    .flatMap((w) => fold(w).split(/[^\p{L}\p{N}]+/u))
    .filter((w) => w !== '')
    .map((w) => `'${w}':*`);
  if (terms.length === 0) return null;
  const query = terms.join(' & ');
  // The expression is written exactly as the indexes are, so the planner uses them;
  // the status condition lets it choose the partial index of open titles.
  const match = sql<SqlBool>`to_tsvector('simple', hushdesk_fold(tickets.title)) @@ to_tsquery('simple', ${query})`;
  return options.openOnly
    ? sql<SqlBool>`(${match} and tickets.status in ('new', 'in_progress', 'waiting'))`
    : match;
}
