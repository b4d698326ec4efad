import type { Compilable, CompiledQuery } from 'kysely';
import { type Store, storeOf } from './dialect/store.js';
import type { Db } from './index.js';

/**
 * Queries built and compiled once, run many times. Building a Kysely query and
 * compiling it to SQL costs 30 to 100 µs, more than running most of ours: on a
 * ticket page, with a dozen statements, it was a fifth of the server's time
 * (docs/performance.md). The hot queries are built here once per store and
 * per shape, and each run only puts its values in place.
 *
 * - `values` are placeholders while the query is built: use each only as a
 *   value (in a comparison, an insert, a set). Anything that changes the SQL
 *   (a branch, a list's length) goes in `shape`, a string that keys the
 *   compiled copy. A placeholder written into the SQL's text throws; one
 *   branched on cannot be caught (it is an object, so always true).
 * - Compiled SQL differs between SQLite and PostgreSQL, not between a store
 *   and its transactions: one copy per store serves both.
 */
export interface Prepared<V, R> {
  /** Every row. */
  rows(db: Db, values: V, shape?: string): Promise<R[]>;
  /** The first row, if any. */
  first(db: Db, values: V, shape?: string): Promise<R | undefined>;
  /** Runs a write; how many rows it changed (0 when the driver does not say). */
  run(db: Db, values: V, shape?: string): Promise<number>;
}

/** Stands in a value's place while the query is built. */
class Slot {
  constructor(readonly name: string) {}

  /** Written into the SQL's text (`sql.raw`, a template string), it would be wrong for every other value. */
  [Symbol.toPrimitive](): never {
    throw new Error(`prepared query: ${this.name} must be a value, or part of the shape`);
  }
}

/** Each parameter of a compiled copy: a value taken at run time, or a constant of the query's own. */
type Parameter = { slot: string } | { constant: unknown };

interface Template {
  compiled: CompiledQuery;
  parameters: Parameter[];
}

/** Placeholders for a build, one per name asked for. */
const SLOTS = new Proxy({} as Record<string, Slot>, {
  get: (_target, key) => new Slot(String(key)),
});

/** The row type a built query returns. */
type RowOf<C> = C extends Compilable<infer O> ? O : never;

export function prepared<V extends Record<string, unknown>, C extends Compilable<unknown>>(
  build: (db: Db, values: V, shape: string) => C,
): Prepared<V, RowOf<C>> {
  type R = RowOf<C>;
  const templates = new Map<string, Template>();

  const templateFor = (db: Db, shape: string): Template => {
    const key = `${storeOf(db) satisfies Store} ${shape}`;
    let template = templates.get(key);
    if (!template) {
      const compiled = build(db, SLOTS as V, shape).compile();
      const parameters: Parameter[] = compiled.parameters.map((p) =>
        p instanceof Slot ? { slot: p.name } : { constant: p },
      );
      template = { compiled, parameters };
      templates.set(key, template);
    }
    return template;
  };

  const execute = async (db: Db, values: V, shape: string) => {
    const { compiled, parameters } = templateFor(db, shape);
    const bound = parameters.map((p) => {
      if ('constant' in p) return p.constant;
      const value = values[p.slot];
      // An insert built with every column must not bind "undefined": null is what it means.
      return value === undefined ? null : value;
    });
    return db.executeQuery<R>({ ...compiled, parameters: bound } as CompiledQuery<R>);
  };

  return {
    async rows(db, values, shape = '') {
      return (await execute(db, values, shape)).rows;
    },
    async first(db, values, shape = '') {
      return (await execute(db, values, shape)).rows[0];
    },
    async run(db, values, shape = '') {
      const result = await execute(db, values, shape);
      return Number(result.numAffectedRows ?? 0n);
    },
  };
}
