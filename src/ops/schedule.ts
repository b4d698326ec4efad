import { offsetMinutes } from '../audit/filters.js';

/**
 * Times of day in the agency's time zone. The nightly backup is due at
 * BACKUP_AT on the agency's clock, whenever the server was started.
 */

/** Milliseconds the zone is ahead of UTC at an instant. */
function offset(instant: number, timeZone: string): number {
  return offsetMinutes(instant, timeZone) * 60_000;
}

/**
 * The instant a wall-clock time (given as UTC fields) happens in a zone. The
 * offset is taken again at the first guess, so a day on which the clocks change
 * gets its own; a time the spring change skips (02:30 when 02:00 becomes 03:00)
 * comes out an hour later, as the clocks show it.
 */
function zonedInstant(wall: number, timeZone: string): number {
  const first = wall - offset(wall, timeZone);
  const second = wall - offset(first, timeZone);
  return second + offset(second, timeZone) === wall ? second : first;
}

/** The most recent time the clock read `at` in the zone, at or before `now`. */
export function lastOccurrence(
  now: Date,
  at: { hour: number; minute: number },
  timeZone: string,
): Date {
  const today = new Date(now.getTime() + offset(now.getTime(), timeZone));
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
