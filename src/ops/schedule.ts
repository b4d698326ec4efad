/**
 * Times of day in the agency's time zone. The nightly backup is due at
 * BACKUP_AT on the agency's clock, whenever the server was started.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields at an instant in a zone, as if they were UTC. */
function wallClock(instant: number, timeZone: string): number {
  const parts = format(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
}

/**
 * The instant a wall-clock time (given as UTC fields) happens in a zone. The
 * offset is taken again at the first guess, so a day on which the clocks change
 * gets its own; a time the spring change skips (02:30 when 02:00 becomes 03:00)
 * comes out an hour later, as the clocks show it.
 */
function zonedInstant(wall: number, timeZone: string): number {
  const first = wall - (wallClock(wall, timeZone) - wall);
  const second = wall - (wallClock(first, timeZone) - first);
  return wallClock(second, timeZone) === wall ? second : first;
}

/** The most recent time the clock read `at` in the zone, at or before `now`. */
export function lastOccurrence(
  now: Date,
  at: { hour: number; minute: number },
  timeZone: string,
): Date {
  const today = new Date(wallClock(now.getTime(), timeZone));
  for (let daysBack = 0; daysBack < 3; daysBack++) {
    const wall = Date.UTC(
      today.getUTCFullYear(),
      today.getUTCMonth(),
      today.getUTCDate() - daysBack,
      at.hour,
      at.minute,
    );
    const instant = zonedInstant(wall, timeZone);
    if (instant <= now.getTime()) return new Date(instant);
  }
  throw new Error('unreachable: a time of day occurs at least once in any two days');
}
