import { type Expression, type RawBuilder, sql } from 'kysely';
import type { Store } from './store.js';

/**
 * Date arithmetic on the ISO 8601 text both stores keep timestamps in. SQLite
 * reads the text with julianday() and strftime(); PostgreSQL casts it to
 * timestamptz. This is the only place that knows how each does it.
 */

/** Minutes from `from` to `to` (fractional; null when either is null). */
export function minutesBetween(
  store: Store,
  from: Expression<unknown>,
  to: Expression<unknown>,
): RawBuilder<number> {
  return store === 'postgres'
    ? sql<number>`(extract(epoch from (${to}::timestamptz - ${from}::timestamptz)) / 60)::float8`
    : sql<number>`(julianday(${to}) - julianday(${from})) * 1440`;
}

/** Days from `from` to `to` (fractional; null when either is null). */
export function daysBetween(
  store: Store,
  from: Expression<unknown>,
  to: Expression<unknown>,
): RawBuilder<number> {
  return sql<number>`(${minutesBetween(store, from, to)} / 1440)`;
}

/** The instant `seconds` (an SQL number) before `at` (ISO 8601 text), as ISO 8601 text with milliseconds. */
export function secondsBefore(
  store: Store,
  at: Expression<unknown>,
  seconds: Expression<unknown>,
): RawBuilder<string> {
  return store === 'postgres'
    ? sql<string>`to_char((${at}::timestamptz - make_interval(secs => ${seconds}::float8))
        at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', ${at}, '-' || ${seconds} || ' seconds')`;
}
