import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { formatMinutes, percentile, percentileOfBands } from '../../src/reports/figures.js';
import { type BandRow, bandOf } from '../../src/repositories/reports.js';

/** Past two days, through two months: every unit the page shows, and many day bands. */
const LAST_MINUTE = 60 * 1440;

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hushdesk-bands-'));
  db = createDb(dir);
  await migrateToLatest(db);
});

afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** SQLite's band for each of these whole minutes. */
async function bands(minutes: readonly number[]): Promise<Map<number, number>> {
  const m = sql<number>`m.value`;
  const { rows } = await sql<{ minutes: number; band: number }>`
    select m.value as minutes, ${bandOf(m)} as band from json_each(${JSON.stringify(minutes)}) m`.execute(
    db,
  );
  return new Map(rows.map((r) => [r.minutes, r.band]));
}

describe('duration bands', () => {
  it('two durations share a band exactly when the page shows them alike', async () => {
    const all = Array.from({ length: LAST_MINUTE + 1 }, (_, i) => i);
    const band = await bands(all);
    const wrong: string[] = [];
    for (let m = 1; m <= LAST_MINUTE; m++) {
      const here = band.get(m) ?? Number.NaN;
      const before = band.get(m - 1) ?? Number.NaN;
      const sameText = formatMinutes(m) === formatMinutes(m - 1);
      if ((here === before) !== sameText) wrong.push(`${m - 1}/${m}: ${before}/${here}`);
      // Bands rise with the duration, so counting through them in order finds ranks.
      if (!(here >= before)) wrong.push(`${m} falls to band ${here}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the median and 90th percentile taken over bands read as over every duration', async () => {
    // A fixed pseudo-random spread from minutes to months, as real turnaround is.
    let state = 7;
    const next = () => {
      state = (state * 48271) % 2147483647;
      return state / 2147483647;
    };
    for (let trial = 0; trial < 40; trial++) {
      const size = 1 + Math.floor(next() * 300);
      const durations = Array.from({ length: size }, () =>
        Math.floor(Math.exp(next() * Math.log(LAST_MINUTE))),
      );
      const band = await bands(durations);
      const grouped = new Map<number, BandRow>();
      for (const d of durations) {
        const key = band.get(d) ?? -1;
        const row = grouped.get(key) ?? { priority_id: 1, minutes: d, count: 0 };
        row.minutes = Math.min(row.minutes, d);
        row.count += 1;
        grouped.set(key, row);
      }
      const ordered = [...grouped.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
      const sorted = [...durations].sort((a, b) => a - b);
      for (const q of [0.5, 0.9]) {
        expect(formatMinutes(percentileOfBands(ordered, q))).toBe(
          formatMinutes(percentile(sorted, q)),
        );
      }
    }
  });
});
