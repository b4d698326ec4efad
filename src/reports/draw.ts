import type { Priority } from '../db/schema.js';
import { type ChartModel, horizontalBars, type SeriesRow, verticalBars } from './charts.js';
import { AGE_BUCKETS, type Figures } from './figures.js';
import { formatMinutes } from './minutes.js';
import { type Cell, cellText, type ReportKey } from './tables.js';
import type { TimeStats } from './time-stats.js';

/** A time drawn as a share of the target is cut off here, so one slow ticket cannot flatten the rest. */
const MAX_TARGET_SHARE = 3;

function numbers(cells: readonly Cell[]): number[] {
  return cells.map((c) => Number(cellText(c)) || 0);
}

function againstTarget(
  priorities: readonly Priority[],
  stats: readonly TimeStats[],
  empty: string,
): SeriesRow[] {
  return priorities.map((p, i) => {
    const s = stats[i];
    if (p.response_minutes === null)
      return { label: p.name, values: [], note: 'no response target' };
    if (!s || s.median === null || s.p90 === null)
      return { label: p.name, values: [], note: empty };
    const target = p.response_minutes;
    return {
      label: p.name,
      values: [s.median, s.p90].map((m) => Math.min(MAX_TARGET_SHARE, m / target)),
      labels: [formatMinutes(s.median), formatMinutes(s.p90)],
    };
  });
}

const TARGET_NOTE =
  ' Each bar is drawn as a share of the priority’s response target (the line), cut off at three times the target; its label gives the actual time.';

/** One chart per report, drawn from the same rows as its table. */
export function drawCharts(figures: Figures): Record<ReportKey, ChartModel> {
  const t = figures.tables;
  const base = (key: ReportKey, extra = '') => ({
    id: `chart-${key}`,
    title: t[key].title,
    description: t[key].description + extra,
  });
  return {
    'open-by-age': horizontalBars({
      ...base('open-by-age'),
      series: AGE_BUCKETS,
      stacked: true,
      rows: t['open-by-age'].rows.map((r) => ({
        label: String(cellText(r[0] ?? '')),
        values: numbers(r.slice(1, 1 + AGE_BUCKETS.length)),
      })),
    }),
    'past-target': horizontalBars({
      ...base('past-target'),
      series: ['Past response target', 'Overdue'],
      rows: t['past-target'].rows.map((r) => ({
        label: String(cellText(r[0] ?? '')),
        values: numbers(r.slice(2, 4)),
      })),
    }),
    'created-completed': verticalBars({
      ...base('created-completed'),
      series: ['Created', 'Completed'],
      columns: figures.weeks.map((w, i) => ({
        label: w.label,
        values: numbers(t['created-completed'].rows[i]?.slice(1, 3) ?? []),
      })),
    }),
    'time-to-complete': horizontalBars({
      ...base('time-to-complete', TARGET_NOTE),
      series: ['Median', '90th percentile'],
      reference: { value: 1, label: 'Target' },
      rows: againstTarget(figures.priorities, figures.timeToComplete, 'none completed'),
    }),
    'first-response': horizontalBars({
      ...base('first-response', TARGET_NOTE),
      series: ['Median', '90th percentile'],
      reference: { value: 1, label: 'Target' },
      rows: againstTarget(figures.priorities, figures.timeToRespond, 'none answered'),
    }),
    'outside-desk': horizontalBars({
      ...base('outside-desk'),
      series: ['Tickets'],
      rows: t['outside-desk'].rows.slice(0, 3).map((r) => ({
        label: String(cellText(r[0] ?? '')),
        values: numbers(r.slice(1, 2)),
      })),
    }),
    load: horizontalBars({
      ...base('load'),
      series: ['Open tickets'],
      rows: t.load.rows.map((r) => ({
        label: String(cellText(r[0] ?? '')),
        values: numbers(r.slice(1, 2)),
      })),
    }),
  };
}
