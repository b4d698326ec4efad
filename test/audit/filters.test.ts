import { describe, expect, it } from 'vitest';
import { auditQueryString, parseAuditQuery, startOfDay } from '../../src/audit/filters.js';

describe('startOfDay', () => {
  it('finds local midnight, also on the days the clocks change', () => {
    const chicago = 'America/Chicago';
    expect(startOfDay('2026-01-15', chicago)?.toISOString()).toBe('2026-01-15T06:00:00.000Z');
    expect(startOfDay('2026-07-15', chicago)?.toISOString()).toBe('2026-07-15T05:00:00.000Z');
    expect(startOfDay('2026-03-08', chicago)?.toISOString()).toBe('2026-03-08T06:00:00.000Z');
    expect(startOfDay('2026-11-01', chicago)?.toISOString()).toBe('2026-11-01T05:00:00.000Z');
    expect(startOfDay('2026-11-02', chicago)?.toISOString()).toBe('2026-11-02T06:00:00.000Z');
    expect(startOfDay('2026-01-15', 'UTC')?.toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });

  it('refuses what is not a calendar day', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '15/01/2026', '']) {
      expect(startOfDay(bad, 'UTC')).toBeNull();
    }
  });
});

describe('parseAuditQuery', () => {
  it('turns the query string into a filter whose "to" covers the whole day', () => {
    const { filter, errors } = parseAuditQuery(
      { staff: '3', ticket: '#12', action: 'sign-in', from: '2026-01-01', to: '2026-01-31' },
      'UTC',
    );
    expect(errors).toEqual({});
    expect(filter).toEqual({
      staffId: 3,
      ticketId: 12,
      action: 'sign-in',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
    });
  });

  it('refuses an end before the start', () => {
    expect(parseAuditQuery({ from: '2026-02-01', to: '2026-01-01' }, 'UTC').errors).toEqual({
      to: 'The end date must not be before the start date.',
    });
  });

  it('builds links with the filters and paging, leaving empty fields out', () => {
    expect(
      auditQueryString({ staff: '', ticket: '7', action: 'a b', from: '', to: '' }, { before: 9 }),
    ).toBe('?ticket=7&action=a+b&before=9');
    expect(auditQueryString({ staff: '', ticket: '', action: '', from: '', to: '' })).toBe('');
  });
});
