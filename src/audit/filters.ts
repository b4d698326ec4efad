import { type FieldErrors, text } from '../forms/fields.js';
import type { AuditFilter } from '../repositories/audit.js';
import { formatterPerZone } from '../tickets/dates.js';

/** The filters as typed, kept to fill the form back in and to build links. */
export interface AuditQuery {
  staff: string;
  ticket: string;
  action: string;
  from: string;
  to: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatterFor = formatterPerZone('en-US', {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Minutes the zone is ahead of UTC at an instant. */
export function offsetMinutes(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((local - instant) / 60_000);
}

/** The instant a calendar day (YYYY-MM-DD) starts in the agency's time zone. */
export function startOfDay(day: string, timeZone: string): Date | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const naive = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const check = new Date(naive);
  if (check.getUTCMonth() !== Number(m[2]) - 1 || check.getUTCDate() !== Number(m[3])) return null;
  // Twice, so a day on which the clocks change gets the offset of its own midnight.
  let instant = naive - offsetMinutes(naive, timeZone) * 60_000;
  instant = naive - offsetMinutes(instant, timeZone) * 60_000;
  return new Date(instant);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Reads the query string of /audit and /audit/export.csv into a filter, with a message per bad field. */
export function parseAuditQuery(
  query: Record<string, unknown>,
  timeZone: string,
): { values: AuditQuery; filter: AuditFilter; errors: FieldErrors<keyof AuditQuery> } {
  const values: AuditQuery = {
    staff: text(query.staff),
    ticket: text(query.ticket).replace(/^#/, ''),
    action: text(query.action),
    from: text(query.from),
    to: text(query.to),
  };
  const filter: AuditFilter = {};
  const errors: FieldErrors<keyof AuditQuery> = {};
  if (values.staff) {
    if (/^\d{1,9}$/.test(values.staff)) filter.staffId = Number(values.staff);
    else errors.staff = 'Pick someone from the list.';
  }
  if (values.ticket) {
    if (/^\d{1,9}$/.test(values.ticket)) filter.ticketId = Number(values.ticket);
    else errors.ticket = 'Enter a ticket number, such as 1042.';
  }
  if (values.action) {
    if (values.action.length <= 60) filter.action = values.action;
    else errors.action = 'Pick a kind from the list.';
  }
  if (values.from) {
    const from = startOfDay(values.from, timeZone);
    if (from) filter.from = from.toISOString();
    else errors.from = 'Enter a date such as 2026-03-01.';
  }
  if (values.to) {
    // "To" includes the whole day.
    const to = DAY.test(values.to) ? startOfDay(nextDay(values.to), timeZone) : null;
    if (to && startOfDay(values.to, timeZone)) filter.to = to.toISOString();
    else errors.to = 'Enter a date such as 2026-03-31.';
  }
  if (filter.from && filter.to && filter.from >= filter.to) {
    errors.to = 'The end date must not be before the start date.';
  }
  return { values, filter, errors };
}

/** The query string for a set of filters, with paging added; empty fields left out. */
export function auditQueryString(
  values: AuditQuery,
  extra: Record<string, string | number> = {},
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...values, ...extra })) {
    if (v !== '' && v !== undefined) params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
