import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { csvRow } from '../../audit/csv.js';
import { auditQueryString, parseAuditQuery } from '../../audit/filters.js';
import { auditChange } from '../../change-context.js';
import { agencyTimeZone } from '../../decorators/agency.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { isHtmx } from '../../decorators/render.js';
import {
  type AuditRow,
  eachAuditEntry,
  listAuditActions,
  listAuditEntries,
  listStaffForAuditFilter,
} from '../../repositories/audit.js';
import { formatDateTime, formatSortableTime } from '../../tickets/dates.js';
import { changeOf } from '../../web/change-context.js';

const PAGE_SIZE = 50;

function cursor(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

/**
 * The audit log (HIPAA 164.312(b)), for people with view_audit_log: filters in
 * the query string, newest first, and a CSV export that is itself audited.
 * Read-only: there is no route that edits or deletes a row.
 */
const audit: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'view_audit_log');

  // The agency's time zone (Settings), as on every other page; the page and the CSV name it.
  const show = (row: AuditRow) => ({
    ...row,
    when: formatDateTime(row.at, agencyTimeZone(app)),
  });

  app.get('/audit', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const { values, filter, errors } = parseAuditQuery(query, agencyTimeZone(app));
    const invalid = Object.keys(errors).length > 0;
    const page = invalid
      ? { rows: [], hasOlder: false, hasNewer: false }
      : await listAuditEntries(app.db, filter, {
          limit: PAGE_SIZE,
          before: cursor(query.before),
          after: cursor(query.after),
        });
    const first = page.rows[0];
    const last = page.rows.at(-1);
    if (isHtmx(request)) {
      // The address bar gets the filters without the empty fields a form sends.
      const paging: Record<string, string> = {};
      for (const key of ['before', 'after'] as const) {
        const value = cursor(query[key]);
        if (value !== undefined) paging[key] = String(value);
      }
      reply.header('hx-push-url', `/audit${auditQueryString(values, paging)}`);
    }
    return reply.code(invalid ? 422 : 200).page(
      'audit/index',
      {
        title: 'Audit log',
        values,
        errors,
        rows: page.rows.map(show),
        staffList: await listStaffForAuditFilter(app.db),
        actions: await listAuditActions(app.db),
        newerLink:
          page.hasNewer && first ? `/audit${auditQueryString(values, { after: first.id })}` : null,
        olderLink:
          page.hasOlder && last ? `/audit${auditQueryString(values, { before: last.id })}` : null,
        newestLink: page.hasNewer ? `/audit${auditQueryString(values)}` : null,
        exportLink: `/audit/export.csv${auditQueryString(values)}`,
      },
      { fragment: 'audit/_log' },
    );
  });

  app.get('/audit/export.csv', async (request, reply) => {
    const { values, filter, errors } = parseAuditQuery(
      request.query as Record<string, unknown>,
      agencyTimeZone(app),
    );
    if (Object.keys(errors).length > 0)
      return reply.redirect(`/audit${auditQueryString(values)}`, 303);
    const described = Object.entries(values)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    await auditChange(app.db, changeOf(request), {
      action: 'audit-exported',
      detail: `audit log as CSV; ${described ? `filters: ${described}` : 'no filters'}`,
    });
    const zone = agencyTimeZone(app);
    async function* lines() {
      // A byte-order mark, so spreadsheet programs read names with accents right.
      yield `\ufeff${csvRow(['id', 'at (UTC)', `at (${zone})`, 'who', 'staff id', 'token id', 'action', 'ticket', 'detail', 'address'])}`;
      for await (const row of eachAuditEntry(app.db, filter)) {
        yield csvRow([
          row.id,
          row.at,
          formatSortableTime(row.at, zone),
          row.actor,
          row.staff_id,
          row.token_id,
          row.action,
          row.ticket_id,
          row.detail,
          row.ip,
        ]);
      }
    }
    const day = app.now().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="hushdesk-audit-${day}.csv"`)
      .send(Readable.from(lines()));
  });
};

export default audit;
