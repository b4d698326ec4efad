import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
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
  const terms = ftsPrefixTerms(words);
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
  const terms = tsPrefixTerms(words);
  if (terms.length === 0) return null;
  const match = tsMatch(terms.join(' & '));
  return options.openOnly ? sql<SqlBool>`(${match} and ${OPEN_ON_POSTGRES})` : match;
}

/** Each word as an FTS5 prefix term; FTS5 syntax and control characters (a NUL ends its query string early) are spaces. */
function ftsPrefixTerms(words: readonly string[]): string[] {
  return words
    .map((w) => w.replace(/["*^:(){}[\]\\\p{Cc}\p{Cf}]/gu, ' ').trim())
    .flatMap((w) => w.split(/\s+/))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .map((w) => `"${w.replace(/"/g, '')}"*`);
}

/** Each word as a tsquery prefix term: letters and digits only, so nothing typed can be read as tsquery syntax. */
function tsPrefixTerms(words: readonly string[]): string[] {
  return words
    .flatMap((w) => fold(w).split(/[^\p{L}\p{N}]+/u))
    .filter((w) => w !== '')
    .map((w) => `'${w}':*`);
}

/**
 * Written exactly as the indexes are, so the planner uses them; with
 * OPEN_ON_POSTGRES beside it the planner can choose the partial index of open titles.
 */
function tsMatch(query: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`to_tsvector('simple', hushdesk_fold(tickets.title)) @@ to_tsquery('simple', ${query})`;
}

const OPEN_ON_POSTGRES = sql<SqlBool>`tickets.status in ('new', 'in_progress', 'waiting')`;

/**
 * For similar titles among open tickets: how many of the words an open
 * ticket's title holds (each a prefix of one of its words), and a condition
 * that it holds at least one. Null when no word is searchable.
 */
export function openTitleWordHits(
  store: Store,
  words: readonly string[],
): { any: Expression<SqlBool>; hits: RawBuilder<number> } | null {
  if (store === 'postgres') {
    const terms = tsPrefixTerms(words);
    if (terms.length === 0) return null;
    return {
      any: sql<SqlBool>`(${tsMatch(terms.join(' | '))} and ${OPEN_ON_POSTGRES})`,
      hits: sql<number>`(${sql.join(
        terms.map((term) => sql`(case when ${tsMatch(term)} then 1 else 0 end)`),
        sql` + `,
      )})`,
    };
  }
  const terms = ftsPrefixTerms(words);
  if (terms.length === 0) return null;
  const hit = (match: string) =>
    sql`(tickets.id in (select rowid from tickets_open_title_fts where tickets_open_title_fts match ${match}))`;
  return {
    any: sql<SqlBool>`${hit(terms.join(' OR '))}`,
    hits: sql<number>`(${sql.join(terms.map(hit), sql` + `)})`,
  };
}
