import type { Kysely } from 'kysely';
import type { Manifest } from '../../bench/seed.js';
import type { Database } from '../../src/db/schema.js';
import { hasReportTimesFrom } from '../../src/reports/calendar.js';
import { findApiTokenByHash, isAutomationIdentity } from '../../src/repositories/api-tokens.js';
import { listAttachments } from '../../src/repositories/attachments.js';
import {
  countUnassignedOpenTickets,
  findTicketCreatedBy,
} from '../../src/repositories/automation.js';
import { findEscalation, getEscalationDesk } from '../../src/repositories/escalation.js';
import {
  countPerBand,
  countPerWeek,
  type DayWindow,
  minutesAt,
} from '../../src/repositories/report-windows.js';
import {
  countOpenTickets,
  countOpenTicketsByAssignee,
  listDepartments,
  listSentToDeskInWindow,
  readReportVersion,
} from '../../src/repositories/reports.js';
import { createSession, findSession } from '../../src/repositories/sessions.js';
import { getSetting } from '../../src/repositories/settings.js';
import { isSetupTokenUsable } from '../../src/repositories/setup-tokens.js';
import {
  countStaff,
  findStaffById,
  findStaffByUsername,
  listAssignableStaff,
  readStaffDirectoryVersion,
} from '../../src/repositories/staff.js';
import {
  listLinksOf,
  listMergedInto,
  listOpenWaitingChildren,
} from '../../src/repositories/ticket-links.js';
import { readPopulation } from '../../src/repositories/ticket-list-plan.js';
import { listTickets } from '../../src/repositories/ticket-lists.js';
import { countMyTickets } from '../../src/repositories/ticket-scopes.js';
import { findVisibleTicket, listAssociatedStaff } from '../../src/repositories/tickets.js';
import { listTimeline } from '../../src/repositories/timeline.js';
import { DEFAULT_FILTERS, parseFilters, type TicketFilters } from '../../src/tickets/filters.js';
import type { Viewer } from '../../src/tickets/visibility.js';
import { PLAIN } from './store.js';

export { PLAIN };

/**
 * The list, search and count queries whose plans test/db/query-plan*.test.ts
 * check, each called as the app calls it, on the bench seeder's data.
 */

/** Tables that grow with the agency's history: none may be read end to end. */
export const BIG_TABLES = [
  'tickets',
  'ticket_events',
  'ticket_notes',
  'ticket_associated_staff',
  'audit_log',
  'ticket_report_times',
  'report_daily',
  'report_days',
  'ticket_escalations',
];

export interface Context {
  db: Kysely<Database>;
  manifest: Manifest;
  staffId: number;
  username: string;
  sessionId: string;
  now: Date;
}

/**
 * A query is checked by calling its repository function as the app does; every
 * SQL statement it runs is explained. A bounded scan (walking an index in order
 * and stopping at a LIMIT, e.g. the newest 50 tickets) is allowed only where the
 * entry says why; the check then insists on the LIMIT and on no sort of its own.
 */
export type Check = (c: Context) => Promise<unknown>;
export type Entry = Check | { run: Check; boundedScan: string };

/** Every list, search and count query, one line each. Add ticket queries here as they land. */
export const QUERIES: Record<string, Entry> = {
  'session with its staff and their permissions (every request)': (c) =>
    findSession(c.db, c.sessionId),
  'staff by username (sign-in)': (c) => findStaffByUsername(c.db, c.username),
  'staff by id': (c) => findStaffById(c.db, c.staffId),
  'count of staff (first-run check)': (c) => countStaff(c.db),
  'a setting': (c) => getSetting(c.db, 'agency_name', null),
  'a setup token': (c) => isSetupTokenUsable(c.db, 'no-such-token', c.now),
  'My tickets: assigned to me, with count': (c) =>
    listTickets(c.db, 'assigned', staffViewer(c), filters(), DATES),
  'My tickets: created by me': (c) =>
    listTickets(c.db, 'created', staffViewer(c), filters(), DATES),
  'My tickets: associated with me': (c) =>
    listTickets(c.db, 'associated', staffViewer(c), filters(), DATES),
  'My tickets: the three tab counts (kept, not counted)': (c) =>
    countMyTickets(c.db, staffViewer(c)),
  'My tickets: assigned to me, filtered (capped count)': (c) =>
    listTickets(c.db, 'assigned', staffViewer(c), filters({ priority: 'high' }), DATES),
  'All tickets: every open ticket, capped count': (c) =>
    listTickets(c.db, 'all', seeAll(c), filters(), DATES),
  'All tickets: every ticket, any status, capped count': {
    run: (c) => listTickets(c.db, 'all', seeAll(c), filters({ status: 'any' }), DATES),
    boundedScan: 'the newest tickets by last update, stopping at the page or the count cap',
  },
  'My tickets: a later page, after a cursor (keyset)': (c) =>
    listTickets(c.db, 'assigned', staffViewer(c), filters({ page: 200, after: CURSOR }), DATES),
  'All tickets: a later page, after and before a cursor (keyset)': async (c) => {
    await listTickets(c.db, 'all', seeAll(c), filters({ page: 200, after: CURSOR }), DATES);
    await listTickets(c.db, 'all', seeAll(c), filters({ page: 199, before: CURSOR }), DATES);
  },
  'All tickets: any status, a later page after a cursor (keyset)': {
    run: (c) =>
      listTickets(
        c.db,
        'all',
        seeAll(c),
        filters({ status: 'any', page: 200, after: CURSOR }),
        DATES,
      ),
    boundedScan: 'by last update from the cursor on, stopping at the page or the count cap',
  },
  'All tickets: open, high priority, with count': (c) =>
    listTickets(c.db, 'all', seeAll(c), filters({ priority: 'high' }), DATES),
  'All tickets: overdue, by due date': (c) =>
    listTickets(c.db, 'all', seeAll(c), filters({ due: 'overdue', sort: 'due' }), DATES),
  'All tickets: title search among open tickets (the open-title index)': (c) =>
    listTickets(c.db, 'all', seeAll(c), filters({ q: 'printer' }), DATES),
  'All tickets: sorted by priority': (c) =>
    listTickets(c.db, 'all', seeAll(c), filters({ sort: 'priority' }), DATES),
  'All tickets: title search, any status, a common word (walks last update, tests each)': {
    run: (c) =>
      listTickets(c.db, 'all', seeAll(c), filters({ q: 'printer', status: 'any' }), DATES),
    boundedScan:
      'by last update, each ticket tested against the title matches, stopping at the page',
  },
  'All tickets: title search, any status, a common word, a later page (keyset)': {
    run: (c) =>
      listTickets(
        c.db,
        'all',
        seeAll(c),
        filters({ q: 'printer', status: 'any', page: 3, after: CURSOR }),
        DATES,
      ),
    boundedScan: 'by last update from the cursor on, tested against the title matches',
  },
  'All tickets: title search, any status, high priority (walks, counts the matches)': {
    run: (c) =>
      listTickets(
        c.db,
        'all',
        seeAll(c),
        filters({ q: 'printer', status: 'any', priority: 'high' }),
        DATES,
      ),
    boundedScan: 'by last update, tested against the title matches, stopping at the page',
  },
  'My tickets: assigned to me, title search, any status (my index, each tested)': (c) =>
    listTickets(c.db, 'assigned', staffViewer(c), filters({ q: 'printer', status: 'any' }), DATES),
  'My tickets: associated with me, title search, any status': (c) =>
    listTickets(
      c.db,
      'associated',
      staffViewer(c),
      filters({ q: 'printer', status: 'any' }),
      DATES,
    ),
  'All tickets: title search, any status, a rare pair of words (sorts its few matches)': (c) =>
    listTickets(c.db, 'all', seeAll(c), filters({ q: 'printer jam', status: 'any' }), DATES),
  'All tickets: title search, complete, by last update (walks and counts in the status index)': (
    c,
  ) => listTickets(c.db, 'all', seeAll(c), filters({ q: 'printer', status: 'complete' }), DATES),
  'All tickets: title search, complete, sorted by due date': (c) =>
    listTickets(
      c.db,
      'all',
      seeAll(c),
      filters({ q: 'printer', status: 'complete', sort: 'due' }),
      DATES,
    ),
  'All tickets, as staff (visibility in SQL): title search': (c) =>
    listTickets(c.db, 'all', staffViewer(c), filters({ q: 'printer' }), DATES),
  'a ticket page: the ticket, its associated staff, timeline, links, files and merges': async (
    c,
  ) => {
    await findVisibleTicket(c.db, PLAIN, c.manifest.visibleToStaff[0] ?? 1, staffViewer(c));
    await listAssociatedStaff(c.db, 1);
    await listTimeline(c.db, PLAIN, 1);
    await listLinksOf(c.db, 1);
    await listOpenWaitingChildren(c.db, 1, staffViewer(c));
    await listMergedInto(c.db, 1);
    await listAttachments(c.db, PLAIN, 1);
  },
  'title search: how many tickets a walk may pass (open ones, or the newest number)': async (c) => {
    await readPopulation(c.db, true);
    await readPopulation(c.db, false);
  },
  'unassigned open tickets (Settings notice)': (c) => countUnassignedOpenTickets(c.db),
  'an API token by hash (every API call)': (c) => findApiTokenByHash(c.db, 'no-such-hash'),
  'a ticket its token created (API read)': (c) => findTicketCreatedBy(c.db, 1, c.staffId),
  'automation identity check (staff pages)': (c) => isAutomationIdentity(c.db, c.staffId),
  'External support: tickets sent to the desk': (c) =>
    listTickets(c.db, 'sent', external(c), parseFilters({ status: 'any' }), {
      today: '2026-11-27',
      endOfWeek: '2026-11-29',
    }),
  'External support: one ticket': (c) => findVisibleTicket(c.db, PLAIN, 1, external(c)),
  'the escalation desk and a ticket’s sending': async (c) => {
    await getEscalationDesk(c.db);
    await findEscalation(c.db, 1);
  },
  'staff directory version (every quick search)': (c) => readStaffDirectoryVersion(c.db),
  'assignable staff (quick search, after a staff change)': (c) => listAssignableStaff(c.db),
  'Reports: open tickets by priority and age, past target, overdue': async (c) => {
    await countOpenTickets(c.db, { department: null }, REPORT_NOW);
    await countOpenTickets(c.db, { department: 'Billing' }, REPORT_NOW);
  },
  'Reports: open tickets per assignee': async (c) => {
    await countOpenTicketsByAssignee(c.db, { department: null });
    await countOpenTicketsByAssignee(c.db, { department: 'Billing' });
  },
  'Reports: created and completed per week': async (c) => {
    await countPerWeek(c.db, reportWindow(c, null));
    await countPerWeek(c.db, reportWindow(c, 'Billing'));
  },
  'Reports: created and completed per duration band': async (c) => {
    await countPerBand(c.db, reportWindow(c, null));
    await countPerBand(c.db, reportWindow(c, 'Billing'));
  },
  'Reports: the minutes at a rank within one band': async (c) => {
    for (const department of [null, 'Billing']) {
      for (const measure of [1, 2] as const) {
        const at = { measure, priorityId: 1, band: 3, offset: 5 };
        await minutesAt(c.db, reportWindow(c, department), at);
      }
    }
  },
  'Reports: sent to the outside desk in the window': async (c) => {
    await listSentToDeskInWindow(c.db, reportWindow(c, null));
    await listSentToDeskInWindow(c.db, reportWindow(c, 'Billing'));
  },
  'Reports: departments for the filter': (c) => listDepartments(c.db),
  'Reports: the data version (every Reports page)': (c) => readReportVersion(c.db),
  'Reports: any ticket dated after the written days (before adding days)': (c) =>
    hasReportTimesFrom(c.db, c.now.toISOString()),
};

/**
 * Two probes of the plan check itself, on either store: a title search no index
 * can answer must be caught as a scan, and a search on an indexed pair of
 * columns must pass.
 */
export const PROBES = {
  titleScan: (c: Context) =>
    c.db.selectFrom('tickets as t').select('t.id').where('t.title', 'like', '%printer%').execute(),
  indexSearch: (c: Context) =>
    c.db
      .selectFrom('tickets')
      .select('id')
      .where('assignee_id', '=', c.staffId)
      .where('status', '=', 'new')
      .execute(),
} satisfies Record<string, Check>;

export const DAY_MS = 86_400_000;
export const REPORT_NOW = {
  today: new Date().toISOString().slice(0, 10),
  now: new Date().toISOString(),
  ageBounds: [1, 7, 30].map((d) => new Date(Date.now() - d * DAY_MS).toISOString()),
  pastTarget: [1, 2, 3].map((priorityId) => ({
    priorityId,
    minutes: priorityId * 60,
    before: new Date(Date.now() - priorityId * 60 * 60_000).toISOString(),
  })),
};
export const WEEK_BOUNDS = Array.from({ length: 11 }, (_, i) =>
  new Date(Date.now() - (77 - 7 * i) * DAY_MS).toISOString(),
);
export function reportWindow(c: Context, department: string | null): DayWindow {
  const from = new Date(c.now.getTime() - 84 * DAY_MS);
  return {
    department,
    from: from.toISOString(),
    to: c.now.toISOString(),
    fromDay: from.toISOString().slice(0, 10),
    toDay: c.now.toISOString().slice(0, 10),
    weekDays: WEEK_BOUNDS.map((b) => b.slice(0, 10)),
    weekBounds: WEEK_BOUNDS,
  };
}

/** Plans do not depend on what a value says: a pass-through cipher stands in for the key. */

export const DATES = { today: '2026-11-27', endOfWeek: '2026-11-29' };
/** Where page 200 of a list by last update might start: a moment and a ticket number. */
export const CURSOR = '2026-06-01T12:00:00.000Z~50000';
export function filters(over: Partial<TicketFilters> = {}): TicketFilters {
  return { ...DEFAULT_FILTERS, ...over };
}
export const staffViewer = (c: Context): Viewer => ({
  id: c.staffId,
  seeAll: false,
  externalOnly: false,
});
export const seeAll = (c: Context): Viewer => ({
  id: c.staffId,
  seeAll: true,
  externalOnly: false,
});

export function external(c: Context): Viewer {
  return { id: c.staffId, seeAll: false, externalOnly: true };
}

/** The context the queries run in: the seeder's staff persona, signed in. */
export async function planContext(db: Kysely<Database>, manifest: Manifest): Promise<Context> {
  const staff = await findStaffById(db, manifest.personas.staff.id);
  const now = new Date();
  await createSession(
    db,
    { id: 'plan-test', staffId: staff?.id ?? 0, csrfToken: 't', ip: '127.0.0.1' },
    now,
  );
  return {
    db,
    manifest,
    staffId: staff?.id ?? 0,
    username: staff?.username ?? '',
    sessionId: 'plan-test',
    now,
  };
}
