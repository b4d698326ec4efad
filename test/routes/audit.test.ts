import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/repositories/audit.js';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { readable } from '../helpers/pages.js';

let t: TestApp;
let annId: number;
let boId: number;
beforeAll(async () => {
  t = await createTestApp();
  annId = (await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin' })).id;
  boId = (await addStaff(t.app, 'bo', { name: 'Bo Chen' })).id;
  // A day of history, in the agency's zone (America/Chicago); the clocks go back on 2026-11-01.
  const rows: [string, number | null, string, number | null, string | null][] = [
    ['2026-11-01T04:59:00Z', boId, 'ticket-viewed', 7, null], // Oct 31, 23:59 CDT
    ['2026-11-01T05:00:00Z', boId, 'ticket-viewed', 7, null], // Nov 1, 00:00 CDT
    ['2026-11-02T17:00:00Z', annId, 'ticket-changed', 8, 'status: New → In progress'],
    ['2026-11-03T17:00:00Z', boId, 'sign-in', null, null],
  ];
  for (const [at, staffId, action, ticketId, detail] of rows) {
    const name = staffId === annId ? 'Ann Lee (ann)' : 'Bo Chen (bo)';
    await recordAudit(
      t.app.db,
      { actor: { staffId, label: name }, action, ticketId, detail, ip: '10.0.0.5' },
      new Date(at),
    );
  }
});
afterAll(() => t.close());

const tableRows = (body: string) => body.match(/<tr>\s*<td>/g)?.length ?? 0;

describe('the audit log page', () => {
  it('is only for view_audit_log, and only they see the link', async () => {
    const bo = await signIn(t.app, 'bo');
    expect((await bo.get('/audit')).statusCode).toBe(403);
    expect((await bo.get('/audit/export.csv')).statusCode).toBe(403);
    expect((await bo.get('/')).body).not.toContain('href="/audit"');
    const ann = await signIn(t.app, 'ann');
    const home = await ann.get('/');
    expect(home.body).toContain('href="/audit"');
    const page = await ann.get('/audit');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('shows entries newest first, with when, who, what, ticket, detail and address', async () => {
    const ann = await signIn(t.app, 'ann');
    const body = (await ann.get('/audit')).body;
    const actions = [...body.matchAll(/<td>(ticket-viewed|ticket-changed|sign-in)<\/td>/g)].map(
      (m) => m[1],
    );
    expect(actions.slice(-4)).toEqual([
      'sign-in',
      'ticket-changed',
      'ticket-viewed',
      'ticket-viewed',
    ]);
    expect(readable(body)).toContain('status: New → In progress');
    expect(body).toContain('<a href="/tickets/8">#8</a>');
    expect(body).toContain('10.0.0.5');
    expect(body).toContain('Nov 2, 2026, 11:00 AM');
    expect(readable(body)).toContain('Times are in America/Chicago, the agency’s time zone.');
  });

  it('filters by staff, ticket, kind and a date range in the agency’s time zone', async () => {
    const ann = await signIn(t.app, 'ann');
    const only = async (query: string) => {
      const body = (await ann.get(`/audit?${query}`)).body;
      return [...body.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]);
    };
    expect(await only(`staff=${boId}&action=ticket-viewed`)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T04:59:00.000Z',
    ]);
    expect(await only('ticket=%238')).toEqual(['2026-11-02T17:00:00.000Z']);
    expect(await only('from=2026-11-01&to=2026-11-02')).toEqual([
      '2026-11-02T17:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
    ]);
    expect(await only('to=2026-10-31')).toEqual(['2026-11-01T04:59:00.000Z']);
    // The filters are kept in the form.
    const body = (await ann.get(`/audit?staff=${boId}&ticket=7`)).body;
    expect(body).toMatch(new RegExp(`<option value="${boId}" selected>Bo Chen`));
    expect(body).toContain('name="ticket" inputmode="numeric" size="8" value="7"');
  });

  it('says which filter is wrong, keeping what was typed', async () => {
    const ann = await signIn(t.app, 'ann');
    const response = await ann.get('/audit?ticket=abc&from=2026-02-30&to=2026-01-01');
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(
      '<p class="field-error" id="ticket-error">Enter a ticket number',
    );
    expect(response.body).toContain('<p class="field-error" id="from-error">Enter a date');
    expect(response.body).toContain('value="abc"');
    expect(tableRows(response.body)).toBe(0);
  });

  it('answers htmx with the log fragment only', async () => {
    const ann = await signIn(t.app, 'ann');
    const response = await ann.htmx('GET', '/audit?action=sign-in');
    expect(response.body).not.toContain('<html');
    expect(response.body.trim()).toMatch(/^<section id="audit-log"/);
    expect(response.headers.vary).toContain('HX-Request');
    // The address bar gets the clean URL, not the form's empty fields.
    const form = await ann.htmx('GET', '/audit?staff=&ticket=&action=sign-in&from=&to=');
    expect(form.headers['hx-push-url']).toBe('/audit?action=sign-in');
  });

  it('pages through a long log by row id', async () => {
    const paged = await createTestApp();
    try {
      await addStaff(paged.app, 'ann', { role: 'admin' });
      for (let i = 1; i <= 120; i++) {
        await recordAudit(
          paged.app.db,
          { actor: { label: 'x' }, action: 'page-test', detail: `row ${i}` },
          new Date(Date.UTC(2026, 0, 1, 0, i)),
        );
      }
      const ann = await signIn(paged.app, 'ann');
      const details = (body: string) =>
        [...body.matchAll(/<td>row (\d+)<\/td>/g)].map((m) => Number(m[1]));
      const first = await ann.get('/audit?action=page-test');
      expect(details(first.body)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
      const older = /href="(\/audit\?action=page-test&amp;before=\d+)"/.exec(first.body)?.[1];
      expect(older).toBeDefined();
      const second = await ann.get((older ?? '').replaceAll('&amp;', '&'));
      expect(details(second.body)).toEqual(Array.from({ length: 50 }, (_, i) => 70 - i));
      const third = await ann.get(
        (/href="(\/audit\?[^"]*before=\d+)"/.exec(second.body)?.[1] ?? '').replaceAll('&amp;', '&'),
      );
      expect(details(third.body)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
      expect(readable(third.body)).not.toContain('Older →');
      const back = /href="(\/audit\?[^"]*after=\d+)"/.exec(third.body)?.[1] ?? '';
      expect(details((await ann.get(back.replaceAll('&amp;', '&'))).body)).toEqual(
        Array.from({ length: 50 }, (_, i) => 70 - i),
      );
    } finally {
      await paged.close();
    }
  });

  it('offers no way to change or delete a row', async () => {
    const ann = await signIn(t.app, 'ann');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      for (const url of ['/audit', '/audit/1']) {
        const r = await ann.request({ method, url, headers: { 'x-csrf-token': ann.csrf } });
        expect(r.statusCode).toBe(404);
      }
    }
  });
});

describe('the CSV export', () => {
  it('exports the filtered log, escapes formula cells, and is audited itself', async () => {
    await recordAudit(
      t.app.db,
      {
        actor: { staffId: null, label: '=HYPERLINK("http://evil.example","x")' },
        action: 'sign-in-failed',
        detail: '+1 "quoted", -2, @sum',
        ip: '10.0.0.9',
      },
      new Date('2026-11-04T12:00:00Z'),
    );
    const ann = await signIn(t.app, 'ann');
    const response = await ann.get('/audit/export.csv?action=sign-in-failed');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="hushdesk-audit-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const lines = response.body.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe(
      '"id","at (UTC)","at (America/Chicago)","who","staff id","token id","action","ticket","detail","address"',
    );
    expect(lines[1]).toMatch(
      /^"\d+","2026-11-04T12:00:00.000Z","2026-11-04 06:00:00","'=HYPERLINK\(""http:\/\/evil.example"",""x""\)","","","sign-in-failed","","'\+1 ""quoted"", -2, @sum","10.0.0.9"$/,
    );
    expect(lines.filter((l) => l !== '')).toHaveLength(2);

    const after = await ann.get('/audit?action=audit-exported');
    expect(after.body).toContain('audit log as CSV; filters: action sign-in-failed');
    expect(after.body).toContain('Ann Lee (ann)');
  });
});
