import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, createTestAppWith, signIn, type TestApp } from '../helpers/app.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * Every ASCII control character, through every text filter and search a
 * signed-in person can type into: the answer is a normal page, never a 500
 * (a NUL once reached FTS5 as an "unterminated string").
 */
let t: TestApp;
let ann: Browser;
beforeAll(async () => {
  t = await createTestAppWith({
    ann: { name: 'Ann Lee', role: 'admin' },
    bo: { name: 'Bo Chen', department: 'Billing' },
  });
  ann = await signIn(t.app, 'ann');
  await createTicket(ann, { title: 'Printer in billing will not print' });
});
afterAll(() => t.close());

const CONTROLS = [...Array.from({ length: 32 }, (_, i) => i), 127].map((code) =>
  String.fromCharCode(code),
);
const hex = (c: string) => `0x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
/** A control character alone, inside a word, after a quote and after a prefix star. */
const valuesWith = (c: string) => [c, `a${c}b`, `print${c}`, `"${c}`, `${c}*`, `bi${c}ll "x`];

/** Each filter and search: its address with the typed value in place, and the status that means a normal page. */
const SURFACES: { name: string; url: (v: string) => string; ok: number[] }[] = [
  { name: 'My tickets', url: (v) => `/?q=${v}`, ok: [200] },
  { name: 'My tickets, any status', url: (v) => `/?status=any&tab=created&q=${v}`, ok: [200] },
  { name: 'All tickets', url: (v) => `/tickets?q=${v}`, ok: [200] },
  { name: 'All tickets, any status', url: (v) => `/tickets?status=any&q=${v}`, ok: [200] },
  { name: 'staff picker', url: (v) => `/staff-picker/options?assignee_q=${v}`, ok: [200] },
  {
    name: 'staff picker, associate',
    url: (v) => `/staff-picker/options?field=associate&first=choose&associate_q=${v}`,
    ok: [200],
  },
  { name: 'Staff', url: (v) => `/staff?q=${v}`, ok: [200] },
  { name: 'Staff, everyone', url: (v) => `/staff?status=all&q=${v}`, ok: [200] },
  // The audit filters check their fields: a bad value is a 422 page with the message beside it.
  { name: 'audit staff', url: (v) => `/audit?staff=${v}`, ok: [200, 422] },
  { name: 'audit ticket', url: (v) => `/audit?ticket=${v}`, ok: [200, 422] },
  { name: 'audit kind', url: (v) => `/audit?action=${v}`, ok: [200, 422] },
  { name: 'audit dates', url: (v) => `/audit?from=${v}&to=${v}`, ok: [200, 422] },
  { name: 'audit export', url: (v) => `/audit/export.csv?action=${v}`, ok: [200, 303] },
];

describe('control characters in filters and searches', () => {
  it.each(SURFACES.map((s) => [s.name, s]))('%s', async (_, surface) => {
    for (const c of CONTROLS) {
      for (const value of valuesWith(c)) {
        const url = surface.url(encodeURIComponent(value));
        const response = await ann.get(url);
        expect(surface.ok, `${hex(c)} ${url}`).toContain(response.statusCode);
        if (response.statusCode === 200 && !url.includes('export')) {
          expect(response.body, `${hex(c)} ${url}`).toContain('</html>');
        }
      }
    }
  });

  it('a search with a control character still finds what the words find', async () => {
    for (const c of CONTROLS) {
      const response = await ann.get(`/?q=${encodeURIComponent(`print${c}billing`)}`);
      expect(response.statusCode, hex(c)).toBe(200);
      expect(response.body, hex(c)).toContain('Printer in billing will not print');
    }
  });
});
