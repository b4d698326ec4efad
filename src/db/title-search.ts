import { type Expression, type SqlBool, sql } from 'kysely';

/**
 * Title search, SQLite's way: the FTS5 index from migrations/0050. Each word
 * typed must start a word of the title ("print" finds "Printer"), in any case
 * and with or without accents. This is the only place that knows about FTS5.
 */
export function titleMatches(words: readonly string[]): Expression<SqlBool> | null {
  const terms = words
    .map((w) => w.replace(/["*^:(){}[\]\\]/g, ' ').trim())
    .flatMap((w) => w.split(/\s+/))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .map((w) => `"${w.replace(/"/g, '')}"*`);
  if (terms.length === 0) return null;
  return sql<SqlBool>`tickets.id in (select rowid from tickets_title_fts where tickets_title_fts match ${terms.join(' ')})`;
}
