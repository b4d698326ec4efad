import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Title search, SQLite's way: the FTS5 indexes from migrations/0050 (every
 * title) and 0052 (open tickets' titles only). Each word typed must start a
 * word of the title ("print" finds "Printer"), in any case and with or without
 * accents. This is the only place that knows about FTS5.
 *
 * `openOnly`: the caller shows only open tickets, so the small index of open
 * titles answers. A prefix search merges every match in memory before any other
 * condition applies, and over years of closed tickets a common word matches
 * tens of thousands (docs/performance.md).
 */
/** Each word as a prefix term for FTS5, or nothing where nothing searchable is left. */
function prefixTerms(words: readonly string[]): string[] {
  return words
    .map((w) => w.replace(/["*^:(){}[\]\\\p{Cc}\p{Cf}]/gu, ' ').trim())
    .flatMap((w) => w.split(/\s+/))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .map((w) => `"${w.replace(/"/g, '')}"*`);
}

/**
 * For similar titles among open tickets: how many of the words an open
 * ticket's title holds (each a prefix of one of its words), and a condition
 * that it holds at least one. Null when no word is searchable.
 */
export function openTitleWordHits(
  words: readonly string[],
): { any: Expression<SqlBool>; hits: RawBuilder<number> } | null {
  const terms = prefixTerms(words);
  if (terms.length === 0) return null;
  const hit = (match: string) =>
    sql`(tickets.id in (select rowid from tickets_open_title_fts where tickets_open_title_fts match ${match}))`;
  return {
    any: sql<SqlBool>`${hit(terms.join(' OR '))}`,
    hits: sql<number>`(${sql.join(terms.map(hit), sql` + `)})`,
  };
}

export function titleMatches(
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
