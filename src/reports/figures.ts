import { startOfDay } from '../audit/filters.js';
import type { Db } from '../db/index.js';
import type { Priority } from '../db/schema.js';
import { listPriorities } from '../repositories/priorities.js';
import {
  countPerBand,
  countPerWeek,
  type DayWindow,
  type Measure,
} from '../repositories/report-windows.js';
import {
  countOpenTickets,
  countOpenTicketsByAssignee,
  listSentToDeskInWindow,
} from '../repositories/reports.js';
import { getBillingCoordinatorId } from '../repositories/settings.js';
import { findStaffById } from '../repositories/staff.js';
import { addDays, agencyToday, formatDate } from '../tickets/dates.js';
import { ensureReportCalendar } from './calendar.js';
import type { ReportFilter } from './filters.js';
import { formatMinutes, percentile, round1 } from './minutes.js';
import type { Cell, ReportKey, ReportTable } from './tables.js';
import { NO_TIMES, type TimeStats, timeStatsOf } from './time-stats.js';

export const AGE_BUCKETS = [
  'Under a day',
  'A day to a week',
  'A week to a month',
  'Over a month',
] as const;
const AGE_DAYS = [1, 7, 30];
/** The load chart names this many people; the rest are summed as "Others". */
export const TOP_ASSIGNEES = 15;
const DAY_MS = 86_400_000;

/** Most urgent first, as the charts read top to bottom. */
function byUrgency(priorities: Priority[]): Priority[] {
  return [...priorities].sort((a, b) => b.rank - a.rank);
}

function listLink(params: Record<string, string>): string {
  return `/tickets?${new URLSearchParams(params).toString()}`;
}

export interface WeekSpan {
  label: string;
  /** The week's first day (YYYY-MM-DD). */
  start: string;
}

/** Seven-day weeks from the window's first day; the last may be shorter. */
export function weeksOf(filter: ReportFilter): WeekSpan[] {
  const weeks: WeekSpan[] = [];
  for (let day = filter.fromDay; day <= filter.toDay; day = addDays(day, 7)) {
    weeks.push({ start: day, label: formatDate(day).replace(/, \d{4}$/, '') });
  }
  return weeks;
}

/** Everything the Reports page shows, as tables; the charts are drawn from the same rows. */
export interface Figures {
  tables: Record<ReportKey, ReportTable>;
  priorities: Priority[];
  weeks: WeekSpan[];
  /** Per priority, in the order of `priorities`: minutes to complete and to first response. */
  timeToComplete: TimeStats[];
  timeToRespond: TimeStats[];
  /** Open tickets assigned to the billing coordinator; null when none is designated. */
  billingCoordinator: { name: string; open: number } | null;
}

export async function loadFigures(
  db: Db,
  filter: ReportFilter,
  options: { now: Date; timeZone: string },
): Promise<Figures> {
  const { now, timeZone } = options;
  const scope = { department: filter.department };
  const window = { ...scope, from: filter.from, to: filter.to };
  const weeks = weeksOf(filter);
  const weekStarts = weeks.slice(1).map((w) => w.start);
  const days: DayWindow = {
    ...window,
    fromDay: filter.fromDay,
    toDay: filter.toDay,
    weekDays: weekStarts,
    weekBounds: weekStarts.map((day) => (startOfDay(day, timeZone) ?? now).toISOString()),
  };
  const ageBounds = AGE_DAYS.map((days) => new Date(now.getTime() - days * DAY_MS).toISOString());

  await ensureReportCalendar(db, timeZone, now);
  const priorities = byUrgency(await listPriorities(db));
  const open = await countOpenTickets(db, scope, {
    today: agencyToday(now, timeZone),
    ageBounds,
    now: now.toISOString(),
    pastTarget: priorities.flatMap((p) =>
      p.response_minutes === null
        ? []
        : [
            {
              priorityId: p.id,
              minutes: p.response_minutes,
              before: new Date(now.getTime() - p.response_minutes * 60_000).toISOString(),
            },
          ],
    ),
  });
  const byAssignee = await countOpenTicketsByAssignee(db, scope);
  const perWeek = await countPerWeek(db, days);
  const bands = await countPerBand(db, days);
  const desk = await listSentToDeskInWindow(db, window);
  const coordinatorId = await getBillingCoordinatorId(db);
  const coordinator = coordinatorId === null ? undefined : await findStaffById(db, coordinatorId);

  const openByAge = new Map<number, number[]>();
  const flagged = new Map<number, { past: number; overdue: number }>();
  for (const row of open) {
    const ages = openByAge.get(row.priority_id) ?? AGE_BUCKETS.map(() => 0);
    ages[row.age] = (ages[row.age] ?? 0) + row.count;
    openByAge.set(row.priority_id, ages);
    const f = flagged.get(row.priority_id) ?? { past: 0, overdue: 0 };
    f.past += row.past_target;
    f.overdue += row.overdue;
    flagged.set(row.priority_id, f);
  }

  const weekly = (measure: Measure) => {
    const counts = weeks.map(() => 0);
    for (const r of perWeek)
      if (r.measure === measure) counts[r.week] = (counts[r.week] ?? 0) + r.n;
    return counts;
  };
  const createdPerWeek = weekly(1);
  const completedPerWeek = weekly(2);
  const awaiting = new Map<number, number>();
  for (const r of bands) {
    if (r.measure === 1 && r.band === -1)
      awaiting.set(r.priority_id, (awaiting.get(r.priority_id) ?? 0) + r.n);
  }
  const timeToComplete: TimeStats[] = [];
  const timeToRespond: TimeStats[] = [];
  for (const p of priorities) {
    timeToComplete.push(await timeStatsOf(db, days, 2, p.id, bands));
    timeToRespond.push(await timeStatsOf(db, days, 1, p.id, bands));
  }

  const deskDays = desk
    .map((r) => r.days_to_complete)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  const deskMedian = percentile(deskDays, 0.5);

  const named = byAssignee.filter((r) => r.assignee_id !== null);
  const unassigned = byAssignee.find((r) => r.assignee_id === null)?.count ?? 0;
  const top = named.slice(0, TOP_ASSIGNEES);
  const others = named.slice(TOP_ASSIGNEES).reduce((sum, r) => sum + r.count, 0);

  const within = `Tickets raised ${formatDate(filter.fromDay)} to ${formatDate(filter.toDay)}`;
  const timeRow = (p: Priority, stats: TimeStats, extra: Cell[] = []): Cell[] => [
    p.name,
    stats.count,
    formatMinutes(stats.median),
    formatMinutes(stats.p90),
    p.response_minutes === null ? 'none' : p.target_label,
    ...extra,
  ];

  const tables: Record<ReportKey, ReportTable> = {
    'open-by-age': {
      key: 'open-by-age',
      title: 'Open tickets by priority and age',
      description:
        'Every ticket open now (New, In progress or Waiting), by priority and by how long ago it was opened.',
      columns: ['Priority', ...AGE_BUCKETS, 'Total'],
      rows: priorities.map((p) => {
        const ages = openByAge.get(p.id) ?? AGE_BUCKETS.map(() => 0);
        return [p.name, ...ages, ages.reduce((a, b) => a + b, 0)];
      }),
    },
    'past-target': {
      key: 'past-target',
      title: 'Past response target and overdue now',
      description:
        'Open tickets older than their priority’s response target, and open tickets past their due date. Each number links to the list it counts.',
      columns: ['Priority', 'Response target', 'Past response target', 'Overdue'],
      rows: priorities.map((p) => {
        const f = flagged.get(p.id) ?? { past: 0, overdue: 0 };
        return [
          p.name,
          p.response_minutes === null ? 'none' : p.target_label,
          { text: f.past, href: listLink({ priority: p.key }) },
          { text: f.overdue, href: listLink({ priority: p.key, due: 'overdue' }) },
        ];
      }),
    },
    'created-completed': {
      key: 'created-completed',
      title: 'Created and completed per week',
      description: `Tickets created and tickets completed in each week from ${formatDate(filter.fromDay)} to ${formatDate(filter.toDay)}.`,
      columns: ['Week starting', 'Created', 'Completed'],
      rows: weeks.map((w, i) => [w.start, createdPerWeek[i] ?? 0, completedPerWeek[i] ?? 0]),
    },
    'time-to-complete': {
      key: 'time-to-complete',
      title: 'Time to complete',
      description: `Median and 90th percentile time from opening to Complete, by priority, for tickets completed ${formatDate(filter.fromDay)} to ${formatDate(filter.toDay)}, against each priority’s response target.`,
      columns: ['Priority', 'Completed', 'Median', '90th percentile', 'Response target'],
      rows: priorities.map((p, i) => timeRow(p, timeToComplete[i] ?? NO_TIMES)),
    },
    'first-response': {
      key: 'first-response',
      title: 'Time to first response',
      description: `${within}: median and 90th percentile time from opening to the first note or status change by someone other than the person who opened it.`,
      columns: [
        'Priority',
        'Answered',
        'Median',
        '90th percentile',
        'Response target',
        'Not answered yet',
      ],
      rows: priorities.map((p, i) =>
        timeRow(p, timeToRespond[i] ?? NO_TIMES, [awaiting.get(p.id) ?? 0]),
      ),
    },
    'outside-desk': {
      key: 'outside-desk',
      title: 'The outside desk',
      description: `Tickets sent to the escalation desk ${formatDate(filter.fromDay)} to ${formatDate(filter.toDay)}, how many are still open, and the median days from sending to Complete.`,
      columns: ['Measure', 'Value'],
      rows: [
        ['Sent', desk.length],
        ['Still open', desk.filter((r) => r.open).length],
        ['Completed', deskDays.length],
        ['Median days from sending to Complete', deskMedian === null ? '—' : round1(deskMedian)],
      ],
    },
    load: {
      key: 'load',
      title: 'Open tickets per assignee',
      description: `Open tickets by who they are assigned to: the ${TOP_ASSIGNEES} with the most, then everyone else together, then unassigned tickets.`,
      columns: ['Assignee', 'Open tickets'],
      rows: [
        ...top.map((r): Cell[] => [
          r.name ?? '',
          { text: r.count, href: listLink({ assignee: String(r.assignee_id) }) },
        ]),
        ...(others > 0 ? [['Others', others] as Cell[]] : []),
        ...(unassigned > 0
          ? [['Unassigned', { text: unassigned, href: listLink({ assignee: 'none' }) }] as Cell[]]
          : []),
      ],
    },
  };
  return {
    tables,
    priorities,
    weeks,
    timeToComplete,
    timeToRespond,
    billingCoordinator: coordinator
      ? {
          name: coordinator.name,
          open: named.find((r) => r.assignee_id === coordinator.id)?.count ?? 0,
        }
      : null,
  };
}
