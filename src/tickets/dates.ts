/** Dates as the agency's staff see them: the calendar of the agency's time zone. */

/**
 * One formatter per time zone for these options, made on first use and kept:
 * making an Intl.DateTimeFormat costs far more than using one, and some are
 * asked on every outbox pass.
 */
export function formatterPerZone(
  locale: string,
  options: Intl.DateTimeFormatOptions,
): (timeZone: string) => Intl.DateTimeFormat {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  return (timeZone) => {
    let f = formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
      formatters.set(timeZone, f);
    }
    return f;
  };
}

// en-CA formats as YYYY-MM-DD.
const isoDateFormatter = formatterPerZone('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in the agency's time zone, as YYYY-MM-DD. */
export function agencyToday(now: Date, timeZone: string): string {
  return isoDateFormatter(timeZone).format(now);
}

/** A real calendar date in YYYY-MM-DD form (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return (
    y >= 1900 &&
    y <= 2999 &&
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === m - 1 &&
    date.getUTCDate() === d
  );
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The Sunday that ends the week holding isoDate (weeks run Monday to Sunday). */
export function endOfWeek(isoDate: string): string {
  const day = new Date(`${isoDate}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(isoDate, day === 0 ? 0 : 7 - day);
}

const displayDate = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/**
 * Formatted strings kept by what was formatted. A list of fifty tickets formats
 * a hundred dates and times, mostly the same ones as the request before, and
 * ICU's formatting costs far more than a lookup (about 5% of a list page's
 * server time at a million tickets). Emptied whenever it reaches `max` entries.
 */
function keptByInput(format: (input: string) => string, max = 4096): (input: string) => string {
  const kept = new Map<string, string>();
  return (input) => {
    let formatted = kept.get(input);
    if (formatted === undefined) {
      formatted = format(input);
      if (kept.size >= max) kept.clear();
      kept.set(input, formatted);
    }
    return formatted;
  };
}

const displayDateOf = keptByInput((isoDate) =>
  displayDate.format(new Date(`${isoDate}T00:00:00Z`)),
);

/** "Nov 27, 2026" for a YYYY-MM-DD date. */
export function formatDate(isoDate: string | null): string {
  if (!isoDate) return '';
  return displayDateOf(isoDate);
}

const dateTimeFormatter = formatterPerZone('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** Keyed by zone and timestamp: "America/Chicago 2026-11-27T15:05:00.000Z". */
const dateTimeOf = keptByInput((zoneAndTimestamp) => {
  const space = zoneAndTimestamp.indexOf(' ');
  return dateTimeFormatter(zoneAndTimestamp.slice(0, space)).format(
    new Date(zoneAndTimestamp.slice(space + 1)),
  );
});

/** "Nov 27, 2026, 9:05 AM" in the agency's time zone, for a timestamp. */
export function formatDateTime(timestamp: string | null, timeZone: string): string {
  if (!timestamp) return '';
  return dateTimeOf(`${timeZone} ${timestamp}`);
}

const sortableFormatter = formatterPerZone('sv-SE', { dateStyle: 'short', timeStyle: 'medium' });

/** "2026-11-27 09:00:05" in the given time zone: for files a spreadsheet sorts. */
export function formatSortableTime(timestamp: string, timeZone: string): string {
  return sortableFormatter(timeZone).format(new Date(timestamp));
}
