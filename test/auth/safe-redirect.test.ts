import { describe, expect, it } from 'vitest';
import { safeReturnPath } from '../../src/auth/safe-redirect.js';
import { OFF_SITE_PAYLOADS } from './redirect-payloads.js';

const BASE = 'http://localhost:3000';

describe('safeReturnPath', () => {
  it.each(OFF_SITE_PAYLOADS.map((p) => [JSON.stringify(p), p]))('refuses %s', (_, payload) => {
    expect(safeReturnPath(payload, BASE)).toBe('/');
    expect(safeReturnPath(payload)).toBe('/');
  });

  it('keeps a path on this site, with its query', () => {
    expect(safeReturnPath('/?tab=mine&q=printer', BASE)).toBe('/?tab=mine&q=printer');
    expect(safeReturnPath('/tickets/12#notes', BASE)).toBe('/tickets/12#notes');
    expect(safeReturnPath('/?q=caf%C3%A9', BASE)).toBe('/?q=caf%C3%A9');
  });

  it('takes an absolute address only on BASE_URL’s own origin', () => {
    expect(safeReturnPath('http://localhost:3000/tickets/3?x=1', BASE)).toBe('/tickets/3?x=1');
    expect(safeReturnPath('http://localhost:3001/tickets/3', BASE)).toBe('/');
    expect(safeReturnPath('https://localhost:3000/tickets/3', BASE)).toBe('/');
    expect(safeReturnPath('http://localhost:3000/tickets/3')).toBe('/');
  });

  it('returns only ASCII, so the value is always a valid header', () => {
    expect(safeReturnPath('/?q=café', BASE)).toBe('/?q=caf%C3%A9');
  });

  it('refuses what is not a string, empty or absurdly long', () => {
    expect(safeReturnPath(undefined)).toBe('/');
    expect(safeReturnPath(['/a', '/b'])).toBe('/');
    expect(safeReturnPath('')).toBe('/');
    expect(safeReturnPath(`/${'a'.repeat(3000)}`)).toBe('/');
  });
});
