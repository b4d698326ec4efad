import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SortKey } from '../tickets/filters.js';

/**
 * Paging by position in the list's order instead of by OFFSET: the next page
 * starts after the last row shown (`after`), the previous one ends before the
 * first (`before`). An index walked in the list's order then starts where the
 * page does, so page 200 costs what page 1 costs, where OFFSET walked and threw
 * away every row of the 199 pages before it.
 *
 * A cursor is the sort's values of one row joined by `~` (last update, number;
 * due date or `none`, number; rank, last update, number; number), which says
 * nothing about the ticket a link in the address bar would not (no title).
 */

type Value = string | number;
interface Key {
  expr: Expression<unknown>;
  desc: boolean;
}

const ID = /^\d{1,9}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RANK = /^-?\d{1,6}$/;

/** Each sort's keys, in order; the number breaks ties so no two rows share a place. */
function keysOf(sort: SortKey): Key[] {
  const id = { expr: sql.ref('tickets.id'), desc: true };
  switch (sort) {
    case 'due':
      // Tickets without a due date come last.
      return [
        { expr: sql`case when tickets.due_date is null then 1 else 0 end`, desc: false },
        { expr: sql`coalesce(tickets.due_date, '')`, desc: false },
        id,
      ];
    case 'priority':
      return [
        { expr: sql.ref('p.rank'), desc: true },
        { expr: sql.ref('tickets.updated_at'), desc: true },
        id,
      ];
    case 'created':
      return [id];
    default:
      return [{ expr: sql.ref('tickets.updated_at'), desc: true }, id];
  }
}

/** The cursor of a row: where a page starting after (or ending before) it begins. */
export function cursorOf(
  sort: SortKey,
  row: { id: number; updated_at: string; due_date: string | null; priority_rank: number },
): string {
  switch (sort) {
    case 'due':
      return `${row.due_date ?? 'none'}~${row.id}`;
    case 'priority':
      return `${row.priority_rank}~${row.updated_at}~${row.id}`;
    case 'created':
      return String(row.id);
    default:
      return `${row.updated_at}~${row.id}`;
  }
}

/** A cursor's values for the sort's keys, or null when it is not one this sort makes. */
export function parseCursor(sort: SortKey, cursor: string): Value[] | null {
  const parts = cursor.split('~');
  const [a = '', b = '', c = ''] = parts;
  switch (sort) {
    case 'due':
      if (parts.length !== 2 || !ID.test(b)) return null;
      if (a === 'none') return [1, '', Number(b)];
      return DATE.test(a) ? [0, a, Number(b)] : null;
    case 'priority':
      return parts.length === 3 && RANK.test(a) && INSTANT.test(b) && ID.test(c)
        ? [Number(a), b, Number(c)]
        : null;
    case 'created':
      return parts.length === 1 && ID.test(a) ? [Number(a)] : null;
    default:
      return parts.length === 2 && INSTANT.test(a) && ID.test(b) ? [a, Number(b)] : null;
  }
}

/**
 * Rows strictly after (or, `backwards`, strictly before) the cursor in the
 * sort's order: the first key bounded on its own, so an index on it is entered
 * at the cursor, then each key compared only where the ones before it tie.
 */
export function pastCursor(
  sort: SortKey,
  values: readonly Value[],
  backwards: boolean,
): (eb: ExpressionBuilder<Database, 'tickets'>) => Expression<SqlBool> {
  const keys = keysOf(sort);
  return (eb) => {
    const beyond = (key: Key, value: Value, orEqual: boolean) => {
      const later = key.desc !== backwards;
      const op = later ? (orEqual ? '<=' : '<') : orEqual ? '>=' : '>';
      return eb(key.expr, op, value);
    };
    const branches = keys.map((key, i) =>
      eb.and([
        ...keys.slice(0, i).map((earlier, j) => eb(earlier.expr, '=', values[j] as Value)),
        beyond(key, values[i] as Value, false),
      ]),
    );
    const first = keys[0] as Key;
    return eb.and([beyond(first, values[0] as Value, true), eb.or(branches)]);
  };
}

/** ORDER BY terms of the sort, forwards or (to fetch the page before a cursor) backwards. */
export function orderTermsOf(sort: SortKey, backwards: boolean) {
  return keysOf(sort).map((key) => ({
    expr: key.expr,
    direction: (key.desc !== backwards ? 'desc' : 'asc') as 'asc' | 'desc',
  }));
}
