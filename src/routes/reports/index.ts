import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { csvRow } from '../../audit/csv.js';
import { auditChange } from '../../change-context.js';
import { agencyTimeZone } from '../../decorators/agency.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { isHtmx } from '../../decorators/render.js';
import { createFiguresCache, MAX_AGE_MS } from '../../reports/cache.js';
import { drawCharts } from '../../reports/draw.js';
import { type Figures, loadFigures } from '../../reports/figures.js';
import { parseReportQuery, type ReportFilter, reportQueryString } from '../../reports/filters.js';
import { cellText, isReportKey, REPORT_KEYS } from '../../reports/tables.js';
import {
  listDepartments,
  type ReportVersion,
  readReportVersion,
} from '../../repositories/reports.js';
import { formatDate, formatDateTime } from '../../tickets/dates.js';
import { type Rendered, rendered } from '../../views/html.js';
import { changeOf } from '../../web/change-context.js';

/**
 * Reports, for people with see_reports: open work, response targets,
 * turnaround and load, as charts drawn on the server with the same numbers in
 * a table and as CSV. Counts and staff names only: no title, description or
 * note appears here, so the page holds no PHI.
 */
const reports: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'see_reports');
  const cache = createFiguresCache<{
    figures: Figures;
    charts: ReturnType<typeof drawCharts>;
    /** The charts section as rendered, per query string, link permission and form state. */
    html: Map<string, Rendered>;
  }>();

  /** The departments for the filter, read again only when the staff directory changed. */
  let departmentsAt: { staff: number; list: Promise<string[]> } | null = null;

  /**
   * The query as typed and as understood, with the data version it is read
   * at. The version is read before counting, so a change made during a count
   * makes the next load count again.
   */
  async function read(request: FastifyRequest) {
    const version = await readReportVersion(app.db);
    if (departmentsAt?.staff !== version.staff) {
      departmentsAt = { staff: version.staff, list: listDepartments(app.db) };
    }
    const departments = await departmentsAt.list;
    const parsed = parseReportQuery(request.query as Record<string, unknown>, {
      now: app.now(),
      timeZone: agencyTimeZone(app),
      departments,
    });
    return { ...parsed, departments, version };
  }

  /**
   * The figures for a filter, counted again only when the data version moved
   * or they are a minute old (src/reports/cache.ts).
   */
  async function counted(filter: ReportFilter, version: ReportVersion) {
    const timeZone = agencyTimeZone(app);
    const now = app.now();
    const key = JSON.stringify([filter.fromDay, filter.toDay, filter.department, timeZone]);
    return cache.get(key, version.key, now, async () => {
      const figures = await loadFigures(app.db, filter, { now, timeZone });
      return { figures, charts: drawCharts(figures), html: new Map() };
    });
  }

  app.get('/reports', async (request, reply) => {
    const { values, filter, errors, departments, version } = await read(request);
    const { value, at } = await counted(filter, version);
    const invalid = Object.keys(errors).length > 0;
    // The counts link to ticket lists only for people who may open them.
    const links = request.staff?.permissions.has('see_all_tickets') ?? false;
    // The charts section is the same for everyone who sees the same figures the
    // same way: rendered once per counting, not on every load.
    const variant = JSON.stringify([reportQueryString(values), links, invalid]);
    let charts = value.html.get(variant);
    if (!charts) {
      const timeZone = agencyTimeZone(app);
      charts = rendered(
        await app.view('reports/_charts', {
          fmt: {
            date: formatDate,
            dateTime: (timestamp: string | null) => formatDateTime(timestamp, timeZone),
          },
          errors,
          filter,
          countedAt: at.toISOString(),
          maxAgeMinutes: MAX_AGE_MS / 60_000,
          reports: REPORT_KEYS.map((key) => ({
            table: value.figures.tables[key],
            chart: value.charts[key],
            csv: `/reports/export.csv${reportQueryString(values, { report: key })}`,
          })),
          billingCoordinator: value.figures.billingCoordinator,
          links,
        }),
      );
      // A few variants per counting (with and without links, a query string or two).
      if (value.html.size < 8) value.html.set(variant, charts);
    }
    if (isHtmx(request)) {
      reply.header('hx-push-url', `/reports${reportQueryString(values)}`);
      // Only the charts swap, unless the form has a message to show beside a field.
      if (invalid) reply.header('hx-retarget', '#report-page').header('hx-reswap', 'outerHTML');
    }
    return reply
      .code(invalid ? 422 : 200)
      .page(
        'reports/index',
        { title: 'Reports', values, errors, filter, departments, charts },
        { fragment: invalid ? 'reports/_page' : 'reports/_swap' },
      );
  });

  app.get('/reports/export.csv', async (request, reply) => {
    const { values, filter, errors, version } = await read(request);
    const key = (request.query as Record<string, unknown>).report;
    if (!isReportKey(key) || Object.keys(errors).length > 0) {
      return reply.redirect(`/reports${reportQueryString(values)}`, 303);
    }
    const table = (await counted(filter, version)).value.figures.tables[key];
    await auditChange(app.db, changeOf(request), {
      action: 'report-exported',
      detail: `report "${table.title}" as CSV; ${filter.fromDay} to ${filter.toDay}; department ${filter.department ?? 'all'}`,
    });
    // A byte-order mark, so spreadsheet programs read names with accents right.
    const body = `\ufeff${csvRow(table.columns)}${table.rows.map((row) => csvRow(row.map(cellText))).join('')}`;
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="hushdesk-${key}-${filter.fromDay}-to-${filter.toDay}.csv"`,
      )
      .send(body);
  });
};

export default reports;
