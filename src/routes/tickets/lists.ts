import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { getEscalationDesk } from '../../repositories/escalation.js';
import { listPriorities } from '../../repositories/priorities.js';
import { cursorOf } from '../../repositories/ticket-keyset.js';
import { listTickets, type TicketRow } from '../../repositories/ticket-lists.js';
import { countMyTickets } from '../../repositories/ticket-scopes.js';
import { staffDirectory } from '../../staff/directory.js';
import type { StaffDirectory } from '../../staff/search.js';
import {
  countActiveFilters,
  filterQuery,
  type ListScope,
  MY_TABS,
  PAGE_SIZE,
  parseFilters,
  parseTab,
  type TicketFilters,
} from '../../tickets/filters.js';
import { STATUSES } from '../../tickets/model.js';
import { flagTicket } from '../../tickets/row-flags.js';
import { rendered } from '../../views/html.js';
import { dueDatesOf } from '../../web/agency-today.js';
import { type PageToRender, sendKeptPage } from '../../web/page-cache.js';
import { viewerOf } from '../../web/signed-in.js';
import { describeListCount } from '../../web/tickets/list-summary.js';

/**
 * The Assigned To filter's options, one per active staff member: rendered once
 * for each version of the staff directory instead of on every list request
 * (hundreds of options, thousands in a large agency).
 */
const assigneeFilterCache = new WeakMap<StaffDirectory, Promise<string>>();

function assigneeFilterOptions(app: FastifyInstance, directory: StaffDirectory): Promise<string> {
  let options = assigneeFilterCache.get(directory);
  if (!options) {
    const rendering = app.view('tickets/_assignee-options', { staff: directory.entries });
    assigneeFilterCache.set(directory, rendering);
    // A failed render is not kept.
    rendering.catch(() => assigneeFilterCache.delete(directory));
    options = rendering;
  }
  return options;
}

/** The filter's current choice (a staff id, digits only: see parseFilters) marked as selected. */
function markSelected(options: string, assignee: string): string {
  if (!/^\d+$/.test(assignee)) return options;
  const option = `<option value="${assignee}">`;
  return options.replace(option, `<option value="${assignee}" selected>`);
}

/**
 * Previous and Next: each carries the cursor of the row its page starts after
 * (or ends before) and the page number it shows, so both work from the address
 * bar and with Back; page 1 needs no cursor.
 */
function pagerLinks(
  filters: TicketFilters,
  rows: readonly TicketRow[],
  link: (replace: Partial<TicketFilters>) => string,
): { prevLink: string; nextLink: string } {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const prevPage = Math.max(1, filters.page - 1);
  return {
    prevLink:
      prevPage === 1 || !first
        ? link({ page: 1, after: '', before: '' })
        : link({ page: prevPage, after: '', before: cursorOf(filters.sort, first) }),
    nextLink: last
      ? link({ page: filters.page + 1, after: cursorOf(filters.sort, last), before: '' })
      : link({ page: filters.page + 1, after: '', before: '' }),
  };
}

/** A list's page, to render (or keep: src/web/page-cache.ts). */
async function listPage(
  app: FastifyInstance,
  request: FastifyRequest,
  scope: ListScope,
  extra: {
    template: string;
    title: string;
    tab?: string;
    counts?: Record<string, number>;
    welcome?: boolean;
  },
): Promise<PageToRender> {
  const filters = parseFilters(request.query as Record<string, unknown>);
  const dates = dueDatesOf(app);
  const viewer = viewerOf(request);
  const [{ rows, total, capped }, priorities, assigneeOptions] = await Promise.all([
    listTickets(app.db, scope, viewer, filters, dates),
    listPriorities(app.db),
    // External support sees no staff list, not even in the Assigned To filter.
    viewer.externalOnly ? '' : staffDirectory(app.db).then((d) => assigneeFilterOptions(app, d)),
  ]);
  const now = app.now();
  // A capped count knows no last page: a full page offers the next one.
  const pages = capped
    ? filters.page + (rows.length === PAGE_SIZE ? 1 : 0)
    : Math.max(1, Math.ceil(total / PAGE_SIZE));
  const base = scope === 'all' ? '/tickets' : '/';
  const tab = extra.tab && extra.tab !== 'assigned' ? extra.tab : '';
  return {
    template: extra.template,
    data: {
      title: extra.title,
      welcome: extra.welcome ?? false,
      scope,
      tab: extra.tab ?? '',
      tabs: MY_TABS,
      counts: extra.counts ?? {},
      filters,
      activeFilters: countActiveFilters(filters),
      rows: rows.map((row) => ({ row, flags: flagTicket(row, dates.today, now) })),
      total,
      capped,
      pages,
      summary: describeListCount({ total, capped, page: filters.page, pages }),
      priorities,
      assigneeOptions: rendered(markSelected(assigneeOptions, filters.assignee)),
      statuses: STATUSES,
      listPath: base,
      // Where a row's Save without JavaScript comes back to: this very list.
      returnTo: `${base}${filterQuery(filters, { tab })}`,
      link: (replace: Record<string, string | number>) =>
        `${base}${filterQuery(filters, { tab, ...replace })}`,
      ...pagerLinks(
        filters,
        rows,
        (replace) => `${base}${filterQuery(filters, { tab, ...replace })}`,
      ),
    },
    options: { fragment: 'tickets/_list' },
  };
}

const lists: FastifyPluginAsync = async (app) => {
  app.get('/', (request, reply) =>
    sendKeptPage(app, request, reply, async () => {
      if (viewerOf(request).externalOnly) {
        const desk = await getEscalationDesk(app.db);
        return listPage(app, request, 'sent', {
          template: 'tickets/sent',
          title: `Tickets sent to ${desk?.name ?? 'the support desk'}`,
        });
      }
      const tab = parseTab(request.query as Record<string, unknown>);
      const counts = await countMyTickets(app.db, viewerOf(request));
      return listPage(app, request, tab, {
        template: 'tickets/mine',
        title: 'My tickets',
        welcome: (request.query as Record<string, unknown>).welcome === '1',
        tab,
        counts,
      });
    }),
  );

  app.get('/tickets', { config: { permission: 'see_all_tickets' } }, (request, reply) =>
    sendKeptPage(app, request, reply, () =>
      listPage(app, request, 'all', { template: 'tickets/all', title: 'All tickets' }),
    ),
  );
};

export default lists;
