import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime } from '../../src/tickets/dates.js';

describe('dates as staff read them', () => {
  it('a date, and a time in the zone asked for, the same when asked again', () => {
    expect(formatDate('2026-11-27')).toBe('Nov 27, 2026');
    expect(formatDate('2026-11-27')).toBe('Nov 27, 2026');
    expect(formatDate(null)).toBe('');
    const at = '2026-11-27T15:05:00.000Z';
    expect(formatDateTime(at, 'America/Chicago')).toBe('Nov 27, 2026, 9:05 AM');
    // Kept formatted strings are kept per zone: another zone is formatted afresh.
    expect(formatDateTime(at, 'America/New_York')).toBe('Nov 27, 2026, 10:05 AM');
    expect(formatDateTime(at, 'America/Chicago')).toBe('Nov 27, 2026, 9:05 AM');
    expect(formatDateTime('2026-11-27 15:05:00', 'UTC')).toBe(
      formatDateTime('2026-11-27T15:05:00', 'UTC'),
    );
    expect(formatDateTime(null, 'UTC')).toBe('');
  });

  it('past the bound, what is kept is let go and still formatted right', () => {
    for (let day = 0; day < 5000; day++) {
      const date = new Date(Date.UTC(2000, 0, 1 + day)).toISOString().slice(0, 10);
      expect(formatDate(date)).toBe(
        new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', {
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          timeZone: 'UTC',
        }),
      );
    }
  });
});
