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
  options: TitleSearchOptions,
): Expression<SqlBool> | null {
  return store === 'postgres' ? postgresMatch(words, options) : sqliteMatch(words, options);
}

export interface TitleSearchOptions {
  openOnly: boolean;
  /**
   * `hits` (the default): start from the index's matches, then filter and sort
   * them, right when the words match few tickets. `test`: walk the list's own
   * order and test each ticket against the matches, stopping at the page, right
   * when they match many (sorting ten thousand matches to show fifty).
   */
  drive?: 'hits' | 'test';
}

function ftsTable(openOnly: boolean) {
  return sql.raw(openOnly ? 'tickets_open_title_fts' : 'tickets_title_fts');
}

function sqliteMatch(
  words: readonly string[],
  options: TitleSearchOptions,
): Expression<SqlBool> | null {
  const terms = ftsPrefixTerms(words);
  if (terms.length === 0) return null;
  const fts = ftsTable(options.openOnly);
  const matches = sql`select rowid from ${fts} where ${fts} match ${terms.join(' ')}`;
  // A unary plus keeps SQLite from answering the condition by rowid: the matches
  // are gathered once (a Bloom filter and a lookup table) and each ticket the
  // order's index hands over is tested against them.
  return options.drive === 'test'
    ? sql<SqlBool>`+tickets.id in (${matches})`
    : sql<SqlBool>`tickets.id in (${matches})`;
}

/**
 * From how many matches among about `tickets` tickets walking the list's order
 * (`drive: 'test'`) costs less than reading and sorting the matches.
 *
 * A walk that stops at the page passes about 50 × tickets / hits tickets;
 * sorting reads every match. They cost the same where hits² = PER_TEST × 50 ×
 * tickets, PER_TEST being what testing a passed ticket costs against reading a
 * match: on SQLite a tenth (an index entry against a ticket row), on
 * PostgreSQL twenty times (each title passed is folded and parsed, about 60
 * µs, against a heap fetch of about 3). So SQLite walks from about 700
 * matches in 100,000 tickets, PostgreSQL from about 10,000.
 *
 * `openOnly` on SQLite: a list of open tickets is three statuses, and SQLite
 * reads each one's range of the (status, last update) index in full and sorts
 * what passes, rather than stopping at the page. That costs every open
 * ticket's index entry (about 40 ns at 1,000,000 tickets) where the matches
 * cost a ticket row each (about 3 µs): the walk pays from one match in every
 * OPEN_ENTRIES_PER_MATCH open tickets, whatever their order.
 */
export function walkFrom(store: Store, tickets: number, openOnly = false): number {
  if (store === 'sqlite' && openOnly) return Math.ceil(tickets / OPEN_ENTRIES_PER_MATCH);
  const perTest = store === 'postgres' ? 20 : 0.1;
  return Math.ceil(Math.sqrt(perTest * 50 * tickets));
}

/** A match's row costs about 75 index entries (3 µs against 40 ns); 50 leaves room. */
const OPEN_ENTRIES_PER_MATCH = 50;

/**
 * How many tickets the words match, counting no further than `cap`, from the
 * title index alone (no ticket is read). With `openOnly`, open tickets only.
 * Null when no word is searchable.
 */
export function countTitleHits(
  store: Store,
  words: readonly string[],
  options: { openOnly: boolean; cap: number },
): RawBuilder<{ n: number | string }> | null {
  if (store === 'postgres') {
    const match = postgresMatch(words, { ...options, drive: 'test' });
    if (!match) return null;
    return sql<{ n: number | string }>`select count(*) as n from
      (select 1 from tickets where ${match} limit ${options.cap}) as hits`;
  }
  const terms = ftsPrefixTerms(words);
  if (terms.length === 0) return null;
  const fts = ftsTable(options.openOnly);
  return sql<{ n: number | string }>`select count(*) as n from
    (select rowid from ${fts} where ${fts} match ${terms.join(' ')} limit ${options.cap}) as hits`;
}

/** As hushdesk_fold does in the database: accents off, lower case. */
function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * PostgreSQL. `hits`: the GIN index gathers the matches once (an array built
 * before the statement runs; the inner `tickets` hides the outer one), and only
 * those tickets are read. Left to itself, the planner would rather walk the
 * order index and fold and parse every title it passes (about 60 µs a title:
 * 48 ms against 1 ms for "printer" over 4,000 tickets). `test`: the bare
 * condition, which the planner answers by that walk, stopping at the page.
 */
function postgresMatch(
  words: readonly string[],
  options: TitleSearchOptions,
): Expression<SqlBool> | null {
  const terms = tsPrefixTerms(words);
  if (terms.length === 0) return null;
  const tested = tsMatch(terms.join(' & '));
  const match = options.openOnly ? sql<SqlBool>`(${tested} and ${OPEN_ON_POSTGRES})` : tested;
  return options.drive === 'test'
    ? match
    : sql<SqlBool>`tickets.id = any(array(select tickets.id from tickets where ${match}))`;
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
