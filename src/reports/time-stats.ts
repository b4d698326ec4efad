import type { Db } from '../db/index.js';
import {
  type BandCountRow,
  type DayWindow,
  type Measure,
  minutesAt,
} from '../repositories/report-windows.js';

/** Median and 90th percentile durations per priority, for the time-to-complete and first-response reports. */

export interface TimeStats {
  count: number;
  median: number | null;
  p90: number | null;
}

export const NO_TIMES: TimeStats = { count: 0, median: null, p90: null };

/**
 * Median and 90th percentile (nearest rank, as `percentile` takes them) of one
 * priority's durations: the band counts say which band holds each rank, one
 * read of that band says its minutes.
 */
export async function timeStatsOf(
  db: Db,
  window: DayWindow,
  measure: Measure,
  priorityId: number,
  bands: readonly BandCountRow[],
): Promise<TimeStats> {
  const rows = bands
    .filter((b) => b.measure === measure && b.priority_id === priorityId && b.band >= 0)
    .sort((a, b) => a.band - b.band);
  const count = rows.reduce((sum, r) => sum + r.n, 0);
  if (count === 0) return NO_TIMES;
  const at = async (q: number): Promise<number | null> => {
    const rank = Math.max(1, Math.ceil(q * count));
    let before = 0;
    for (const row of rows) {
      if (before + row.n >= rank) {
        return minutesAt(db, window, {
          measure,
          priorityId,
          band: row.band,
          offset: rank - before - 1,
        });
      }
      before += row.n;
    }
    return null;
  };
  return { count, median: await at(0.5), p90: await at(0.9) };
}
