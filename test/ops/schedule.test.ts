import { describe, expect, it } from 'vitest';
import { lastOccurrence } from '../../src/ops/schedule.js';

describe('lastOccurrence', () => {
  it('finds the last time the agency clock read HH:MM, across a change of clocks', () => {
    const at = { hour: 2, minute: 30 };
    expect(
      lastOccurrence(new Date('2026-11-27T15:00:00Z'), at, 'America/Chicago').toISOString(),
    ).toBe('2026-11-27T08:30:00.000Z');
    expect(
      lastOccurrence(new Date('2026-11-27T08:29:00Z'), at, 'America/Chicago').toISOString(),
    ).toBe('2026-11-26T08:30:00.000Z');
    // 8 March 2026: Chicago's clocks skip 02:00-03:00; 02:30 comes out as 03:30 CDT.
    expect(
      lastOccurrence(new Date('2026-03-08T12:00:00Z'), at, 'America/Chicago').toISOString(),
    ).toBe('2026-03-08T08:30:00.000Z');
    expect(
      lastOccurrence(new Date('2026-07-01T12:00:00Z'), at, 'America/Chicago').toISOString(),
    ).toBe('2026-07-01T07:30:00.000Z');
  });
});
