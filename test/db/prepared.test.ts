import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { prepared } from '../../src/db/prepared.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { openTestStore } from '../helpers/store.js';

const NOW = new Date('2026-11-27T15:00:00Z');
let db: Db;
let close = async () => {};

beforeAll(async () => {
  ({ db, close } = await openTestStore());
});
afterAll(() => close());

describe('prepared queries (src/db/prepared.ts)', () => {
  it('build once per shape and take new values each run, in a transaction too', async () => {
    let builds = 0;
    const byAction = prepared((store, v: { action: string; label: string }, shape) => {
      builds++;
      let query = store
        .selectFrom('audit_log')
        .select(['action', 'actor'])
        // A constant of the query's own, between two values: it must keep its place.
        .where('action', '=', v.action)
        .where('detail', 'is', null)
        .where('actor', '=', v.label);
      if (shape === 'newest') query = query.orderBy('id', 'desc').limit(1);
      return query;
    });
    for (const [action, label] of [
      ['prepared-a', 'Ann'],
      ['prepared-a', 'Bo'],
      ['prepared-b', 'Ann'],
    ] as const) {
      await recordAudit(db, { actor: { label }, action }, NOW);
    }
    await recordAudit(db, { actor: { label: 'Ann' }, action: 'prepared-a' }, NOW);

    expect(await byAction.rows(db, { action: 'prepared-a', label: 'Ann' })).toEqual([
      { action: 'prepared-a', actor: 'Ann' },
      { action: 'prepared-a', actor: 'Ann' },
    ]);
    expect(await byAction.rows(db, { action: 'prepared-b', label: 'Ann' })).toHaveLength(1);
    expect(await byAction.first(db, { action: 'prepared-a', label: 'Bo' })).toEqual({
      action: 'prepared-a',
      actor: 'Bo',
    });
    expect(await byAction.first(db, { action: 'prepared-c', label: 'Ann' })).toBeUndefined();
    expect(builds).toBe(1);

    // Another shape is another compiled copy; a transaction shares the store's copies.
    const newest = await db
      .transaction()
      .execute((trx) => byAction.rows(trx, { action: 'prepared-a', label: 'Ann' }, 'newest'));
    expect(newest).toHaveLength(1);
    await db
      .transaction()
      .execute((trx) => byAction.rows(trx, { action: 'prepared-b', label: 'Ann' }));
    expect(builds).toBe(2);
  });

  it('run a write and say how many rows it changed; a value left undefined is written as null', async () => {
    const insert = prepared((store, v: { action: string; detail?: string }) =>
      store.insertInto('audit_log').values({
        at: NOW.toISOString(),
        actor: 'prepared test',
        action: v.action,
        detail: v.detail,
      }),
    );
    expect(await insert.run(db, { action: 'prepared-write', detail: 'first' })).toBe(1);
    expect(await insert.run(db, { action: 'prepared-write' })).toBe(1);
    const rows = await db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'prepared-write')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([{ detail: 'first' }, { detail: null }]);
  });

  it('refuse a value written into the text of the SQL instead of bound', async () => {
    const textual = prepared((store, v: { action: string }) =>
      store
        .selectFrom('audit_log')
        .select('id')
        .where(sql<boolean>`action = ${sql.lit(`${v.action}`)}`),
    );
    await expect(textual.rows(db, { action: 'prepared-a' })).rejects.toThrow(
      /action must be a value, or part of the shape/,
    );
  });
});
