import { startOfDay } from '../audit/filters.js';
import { addDays, agencyToday, isCalendarDate } from '../tickets/dates.js';

/** What the Reports form sends, as typed (kept on an error). */
export interface ReportQuery {
  from: string;
  to: string;
  department: string;
}

export interface ReportFilter {
  /** Agency calendar days, both included. */
  fromDay: string;
  toDay: string;
  /** Instants: `from` included, `to` (the start of the day after toDay) not. */
  from: string;
  to: string;
  department: string | null;
}

/** Twelve weeks to today unless asked otherwise; at most a year, which bounds the work. */
export const DEFAULT_DAYS = 84;
const MAX_DAYS = 366;

function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim().slice(0, 100) : '';
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Reads the query string of /reports and its CSV downloads. Empty dates fall
 * back to the last twelve weeks; a department must be one staff belong to.
 */
export function parseReportQuery(
  query: Record<string, unknown>,
  options: { now: Date; timeZone: string; departments: readonly string[] },
): {
  values: ReportQuery;
  filter: ReportFilter;
  errors: Partial<Record<keyof ReportQuery, string>>;
} {
  const values: ReportQuery = {
    from: text(query.from),
    to: text(query.to),
    department: text(query.department),
  };
  const errors: Partial<Record<keyof ReportQuery, string>> = {};
  const today = agencyToday(options.now, options.timeZone);
  let toDay = today;
  if (values.to) {
    if (isCalendarDate(values.to)) toDay = values.to;
    else errors.to = 'Enter a date such as 2026-03-31.';
  }
  let fromDay = addDays(toDay, 1 - DEFAULT_DAYS);
  if (values.from) {
    if (isCalendarDate(values.from)) fromDay = values.from;
    else errors.from = 'Enter a date such as 2026-03-01.';
  }
  if (!errors.from && !errors.to) {
    const days = daysBetween(fromDay, toDay) + 1;
    if (days < 1) errors.to = 'The end date must not be before the start date.';
    else if (days > MAX_DAYS) errors.from = 'Choose at most a year between the two dates.';
  }
  if (values.department && !options.departments.includes(values.department)) {
    errors.department = 'Pick a department from the list.';
  }
  const invalid = Object.keys(errors).length > 0;
  // On an error the charts show the default window, and the form keeps what was typed.
  if (invalid) {
    toDay = today;
    fromDay = addDays(today, 1 - DEFAULT_DAYS);
  }
  const from = startOfDay(fromDay, options.timeZone);
  const to = startOfDay(addDays(toDay, 1), options.timeZone);
  return {
    values,
    errors,
    filter: {
      fromDay,
      toDay,
      from: (from ?? options.now).toISOString(),
      to: (to ?? options.now).toISOString(),
      department: invalid || !values.department ? null : values.department,
    },
  };
}

/** The query string for these values, empty ones left out. */
export function reportQueryString(values: ReportQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...extra })) {
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
