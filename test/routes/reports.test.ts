import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_KEYS } from '../../src/reports/tables.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { buildReportWorld, type ReportWorld, tableOf } from '../helpers/reports.js';

let t: TestApp;
let w: ReportWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await buildReportWorld(t);
});
afterAll(() => t.close());

describe('Reports: who may see it', () => {
  it('is in the menu and opens for a champion and an administrator', async () => {
    for (const browser of [w.cam, w.ann]) {
      const page = await browser.get('/reports');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<a href="/reports" aria-current=page>Reports</a>');
    }
  });

  it('is refused (403) to staff without "see reports", and not in their menu', async () => {
    const page = await w.sam.get('/reports');
    expect(page.statusCode).toBe(403);
    expect((await w.sam.get('/')).body).not.toContain('href="/reports"');
    const csv = await w.sam.get('/reports/export.csv?report=load');
    expect(csv.statusCode).toBe(403);
  });
});

/** Tables list priorities most urgent first: Crisis, High, Medium, Low, Future, None. */
describe('Reports: the figures, counted by hand', () => {
  let html = '';
  beforeAll(async () => {
    html = (await w.cam.get('/reports')).body;
  });

  it('says which window it counts: the last twelve weeks', () => {
    expect(html).toContain('Oct 15, 2026 to Jan 6, 2027, all departments.');
  });

  it('open tickets by priority and age', () => {
    expect(tableOf(html, 'open-by-age')).toEqual([
      ['Crisis', '0', '0', '0', '0', '0'],
      ['High', '1', '1', '0', '0', '2'],
      ['Medium', '0', '0', '0', '1', '1'],
      ['Low', '0', '0', '0', '1', '1'],
      ['Future', '0', '0', '1', '0', '1'],
      ['None', '0', '0', '0', '1', '1'],
    ]);
  });

  it('past response target and overdue, linked to the filtered lists', () => {
    expect(tableOf(html, 'past-target')).toEqual([
      ['Crisis', '60 to 90 minutes', '0', '0'],
      ['High', '48 hours', '1', '0'],
      ['Medium', '1 week', '1', '0'],
      ['Low', '2 weeks', '1', '1'],
      ['Future', '30 days', '0', '0'],
      ['None', 'none', '0', '0'],
    ]);
    expect(html).toContain('<a href="/tickets?priority=low&amp;due=overdue">1</a>');
    expect(html).toContain('<a href="/tickets?priority=high">1</a>');
  });

  it('the linked list holds the tickets counted', async () => {
    const list = await w.cam.get('/tickets?priority=low&due=overdue');
    expect(list.body).toContain('Statement layout is off');
    expect(list.body).not.toContain('Scheduler is slow');
  });

  it('created and completed per week', () => {
    const rows = tableOf(html, 'created-completed');
    expect(rows.map((r) => r[0])).toEqual([
      '2026-10-15',
      '2026-10-22',
      '2026-10-29',
      '2026-11-05',
      '2026-11-12',
      '2026-11-19',
      '2026-11-26',
      '2026-12-03',
      '2026-12-10',
      '2026-12-17',
      '2026-12-24',
      '2026-12-31',
    ]);
    expect(rows.map((r) => r[1])).toEqual([
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '5',
      '0',
      '0',
      '1',
      '0',
      '2',
    ]);
    expect(rows.map((r) => r[2])).toEqual([
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '2',
      '0',
      '0',
      '0',
      '0',
      '0',
    ]);
  });

  it('time to complete against each target', () => {
    expect(tableOf(html, 'time-to-complete')).toEqual([
      ['Crisis', '1', '1 h', '1 h', '60 to 90 minutes'],
      ['High', '1', '3 days', '3 days', '48 hours'],
      ['Medium', '0', '—', '—', '1 week'],
      ['Low', '0', '—', '—', '2 weeks'],
      ['Future', '0', '—', '—', '30 days'],
      ['None', '0', '—', '—', 'none'],
    ]);
  });

  it('time to first response: the creator’s own note and a champion’s own ticket do not count', () => {
    expect(tableOf(html, 'first-response')).toEqual([
      ['Crisis', '1', '30 min', '30 min', '60 to 90 minutes', '0'],
      ['High', '1', '24 h', '24 h', '48 hours', '2'],
      ['Medium', '0', '—', '—', '1 week', '1'],
      ['Low', '1', '3 days', '3 days', '2 weeks', '0'],
      ['Future', '0', '—', '—', '30 days', '1'],
      ['None', '0', '—', '—', 'none', '1'],
    ]);
  });

  it('the outside desk', () => {
    expect(tableOf(html, 'outside-desk')).toEqual([
      ['Sent', '2'],
      ['Still open', '1'],
      ['Completed', '1'],
      ['Median days from sending to Complete', '1'],
    ]);
  });

  it('load per assignee, and what waits for the billing coordinator', () => {
    expect(tableOf(html, 'load')).toEqual([
      ['Cam Champion', '3'],
      ['=Bea Billing', '2'],
      ['Sam Staff', '1'],
    ]);
    expect(html).toMatch(
      /Waiting for the billing coordinator, =Bea Billing: <strong>2<\/strong> open tickets\./,
    );
  });

  it('draws each chart as SVG with a title, a description and its numbers', () => {
    expect(REPORT_KEYS.length).toBe(7);
    for (const key of REPORT_KEYS) {
      expect(html).toMatch(
        new RegExp(`<svg [^>]*aria-labelledby="chart-${key}-title chart-${key}-desc"`),
      );
      expect(html).toContain(`<title id="chart-${key}-title">`);
      expect(html).toContain(`<desc id="chart-${key}-desc">`);
    }
    // Direct labels: the stacked bar for High ends with its total.
    const chart = /<svg[^>]*chart-open-by-age-title[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(chart).toMatch(/<text[^>]*>High<\/text>/);
    expect(chart).toMatch(/<text[^>]*>2<\/text>/);
    // Every element closes: an unquoted value before "/>" would swallow the rest of the chart.
    expect(html).toContain('stroke-dasharray="4 3"/>');
    // No inline style anywhere: the CSP allows none.
    expect(html).not.toMatch(/\sstyle="[^"]/);
  });

  it('shows no ticket title, description or note', () => {
    for (const title of [
      'Scheduler is slow',
      'Billing module down',
      'Statement layout is off',
      'Looked into it',
    ]) {
      expect(html).not.toContain(title);
    }
  });
});

describe('Reports: filters', () => {
  it('by department: tickets raised by its staff', async () => {
    const html = (await w.cam.get('/reports?department=Billing')).body;
    expect(tableOf(html, 'open-by-age').find((r) => r[0] === 'Medium')).toEqual([
      'Medium',
      '0',
      '0',
      '0',
      '1',
      '1',
    ]);
    expect(tableOf(html, 'open-by-age').reduce((n, r) => n + Number(r[5]), 0)).toBe(1);
    expect(tableOf(html, 'load')).toEqual([['Cam Champion', '1']]);
    expect(tableOf(html, 'created-completed').reduce((n, r) => n + Number(r[1]), 0)).toBe(1);
    expect(html).toContain('<option value="Billing" selected>Billing</option>');
  });

  it('by dates: weeks from the first day chosen', async () => {
    const html = (await w.cam.get('/reports?from=2026-12-10&to=2027-01-06')).body;
    const rows = tableOf(html, 'created-completed');
    expect(rows).toEqual([
      ['2026-12-10', '0', '0'],
      ['2026-12-17', '1', '0'],
      ['2026-12-24', '0', '0'],
      ['2026-12-31', '2', '0'],
    ]);
    expect(tableOf(html, 'outside-desk')[0]).toEqual(['Sent', '0']);
    // "Now" figures do not depend on the dates.
    expect(tableOf(html, 'open-by-age').reduce((n, r) => n + Number(r[5]), 0)).toBe(7 - 0 - 1);
  });

  it('keeps what was typed and says what is wrong beside the field', async () => {
    const page = await w.cam.get('/reports?from=2027-02-01&to=2027-01-06&department=Nowhere');
    expect(page.statusCode).toBe(422);
    expect(page.body).toMatch(/id="to-error">The end date must not be before the start date\./);
    expect(page.body).toMatch(/id="department-error">Pick a department from the list\./);
    expect(page.body).toContain('value="2027-02-01"');
    const long = await w.cam.get('/reports?from=2025-01-01&to=2027-01-06');
    expect(long.body).toMatch(/id="from-error">Choose at most a year/);
    const junk = await w.cam.get('/reports?from=%3Cscript%3E&to=2027-13-45');
    expect(junk.statusCode).toBe(422);
    expect(junk.body).not.toContain('<script>');
  });

  it('with htmx only the charts swap, and the address bar gets the filters', async () => {
    const swap = await w.cam.get('/reports?department=Intake&from=', { 'hx-request': 'true' });
    expect(swap.statusCode).toBe(200);
    expect(swap.body.trimStart()).toMatch(/^<div id="report-charts"/);
    expect(swap.body).not.toContain('<form');
    expect(swap.headers['hx-push-url']).toBe('/reports?department=Intake');
    const wrong = await w.cam.get('/reports?department=Nowhere', { 'hx-request': 'true' });
    expect(wrong.headers['hx-retarget']).toBe('#report-page');
    expect(wrong.body).toContain('id="department-error"');
  });
});

describe('Reports: CSV', () => {
  it('downloads a table as CSV, formula-safe, and records it in the audit log', async () => {
    const csv = await w.cam.get('/reports/export.csv?report=load&department=Billing');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="hushdesk-load-2026-10-15-to-2027-01-06.csv"',
    );
    expect(csv.body).toBe('\ufeff"Assignee","Open tickets"\r\n"Cam Champion","1"\r\n');
    const all = await w.cam.get('/reports/export.csv?report=load');
    expect(all.body).toContain(`"'=Bea Billing","2"\r\n`);
    const ages = await w.cam.get('/reports/export.csv?report=open-by-age');
    expect(ages.body.split('\r\n').slice(0, 3)).toEqual([
      '\ufeff"Priority","Under a day","A day to a week","A week to a month","Over a month","Total"',
      '"Crisis","0","0","0","0","0"',
      '"High","1","1","0","0","2"',
    ]);
    const row = await t.app.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'report-exported')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      staff_id: w.ids.cam,
      ticket_id: null,
      detail:
        'report "Open tickets per assignee" as CSV; 2026-10-15 to 2027-01-06; department Billing',
    });
  });

  it('sends an unknown report back to the page', async () => {
    const csv = await w.cam.get('/reports/export.csv?report=everything');
    expect(csv.statusCode).toBe(303);
    expect(csv.headers.location).toBe('/reports');
  });
});
