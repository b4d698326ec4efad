/**
 * THE SCENARIO TABLE. Each row is one request the bench drives at the real server,
 * with the path and form fields the app's own pages send. Where a route changes
 * shape, fix its row here and nothing else. A row whose route answers 404 is
 * reported as "not available on this build".
 */

/** Who sends it: a busy ordinary staff member, an administrator, or nobody (no cookie). */
export type Persona = 'staff' | 'admin' | 'none';

export interface Target {
  /** Requests per second at least this fraction of the floor's. */
  floorRatio?: number;
  /** p99 latency at most this many milliseconds. */
  p99Ms?: number;
  /** At least this many requests per second. */
  rps?: number;
}

export interface Scenario {
  /** Short name for `--only`. */
  key: string;
  label: string;
  method: 'GET' | 'POST';
  /** `:id` is replaced, request by request, by a ticket the persona may see. */
  path: string;
  as: Persona;
  /** `main`: the seeded tickets; `search`: the 5,000-staff variant. */
  data: 'main' | 'search';
  /**
   * Form fields of a POST (the session's `_csrf` is added); `n` counts requests,
   * `colleague` is a staff member other than the persona (the seeded champion).
   */
  form?: (n: number, colleague: number) => Record<string, string>;
  headers?: Record<string, string>;
  target: Target;
  /**
   * Tickets changed each second while this scenario is measured (inline status
   * changes by the same persona), so that what the page caches must be counted
   * again: a busy desk rather than a still one.
   */
  changesPerSecond?: number;
  /** What the target comes from, when it is not one of the agreed targets in docs/performance.md. */
  note?: string;
}

const LISTS: Target = { floorRatio: 0.5, p99Ms: 50 };
const STATUSES = ['in_progress', 'waiting'];
const PRIORITIES = ['none', 'low', 'medium', 'high'];

/**
 * Titles must pass the title guard (src/tickets/title-guard.ts): no dates, no
 * long numbers, nothing that reads as a record number. The counter is a short
 * word, never digits.
 */
const PLACES = ['front office', 'intake room', 'billing office', 'break room', 'east wing'];
/**
 * What the create scenario's tickets are about: never the word title search
 * looks for, so the tickets a run creates (all open, thousands a round) do not
 * change what the next round's title search has to find. With "printer" among
 * them, a million-ticket store that had been benched a dozen times with --reuse
 * held 47,276 open "printer" tickets instead of about a thousand.
 */
const THINGS = ['scanner', 'label maker', 'fax machine', 'badge reader', 'shredder'];
const COUNTER = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
function benchTitle(n: number): string {
  const thing = THINGS[n % THINGS.length] ?? 'scanner';
  const place = PLACES[Math.floor(n / THINGS.length) % PLACES.length] ?? 'front office';
  const word = COUNTER[Math.floor(n / 25) % COUNTER.length] ?? 'alpha';
  return `Bench ticket ${word}: ${thing} in the ${place} is jammed`;
}

/** A due date a month out: the form refuses dates before today. */
function dueDate(): string {
  return new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
}

/** The inline status change: a scenario of its own, and the change sent alongside `reports-busy`. */
export const STATUS_CHANGE: Scenario = {
  key: 'status',
  label: 'Inline status change',
  method: 'POST',
  path: '/tickets/:id/status',
  as: 'staff',
  data: 'main',
  headers: { 'hx-request': 'true' },
  form: (n) => ({ status: STATUSES[n % STATUSES.length] ?? 'in_progress' }),
  target: {},
  note: 'no agreed target for it',
};

const NO_CACHE = { 'cache-control': 'no-cache' };

/**
 * A list asked for with `Cache-Control: no-cache` (a browser's hard reload): built
 * from the store and rendered every time, never answered from the kept copy
 * (src/web/page-cache.ts). What the first visit after a change costs.
 */
function rendered(scenario: Scenario): Scenario {
  return {
    ...scenario,
    key: `${scenario.key}-rendered`,
    label: `${scenario.label}, rendered each time`,
    headers: { ...scenario.headers, ...NO_CACHE },
    target: {},
    note: 'reference: no kept copy, as the first request after any change',
  };
}

const HOME: Scenario = {
  key: 'home',
  label: 'My tickets',
  method: 'GET',
  path: '/',
  as: 'staff',
  data: 'main',
  target: LISTS,
};

const ALL_OPEN: Scenario = {
  // The osTicket comparison's "open tickets" queue as an administrator sees it.
  key: 'all-open',
  label: 'All open tickets',
  method: 'GET',
  path: '/tickets',
  as: 'admin',
  data: 'main',
  target: LISTS,
};

export const SCENARIOS: Scenario[] = [
  HOME,
  rendered(HOME),
  {
    ...HOME,
    key: 'home-busy',
    label: 'My tickets while a ticket changes every second',
    // Each change throws every kept list away: the next request of each renders again.
    changesPerSecond: 1,
  },
  {
    key: 'all-filtered',
    label: 'All tickets, filtered',
    method: 'GET',
    path: '/tickets?status=open&priority=high',
    as: 'admin',
    data: 'main',
    target: LISTS,
  },
  ALL_OPEN,
  rendered(ALL_OPEN),
  {
    key: 'ticket',
    label: 'A ticket page',
    method: 'GET',
    path: '/tickets/:id',
    as: 'staff',
    data: 'main',
    target: LISTS,
  },
  {
    key: 'quick-search',
    label: 'Quick search of staff (5,000)',
    method: 'GET',
    // What htmx sends when "lee" is typed in Assigned To and Tab pressed: only the options come back.
    path: '/staff-picker/options?field=assignee&id=assignee&first=self&assignee_q=lee',
    as: 'staff',
    data: 'search',
    headers: { 'hx-request': 'true' },
    target: { p99Ms: 10 },
  },
  {
    key: 'title-search',
    label: 'Title search',
    method: 'GET',
    path: '/tickets?q=printer',
    as: 'admin',
    data: 'main',
    // The search itself, every time: a repeated search would be a kept copy.
    headers: NO_CACHE,
    target: { p99Ms: 50 },
  },
  {
    // Any status: every title in the history, where a common word matches thousands.
    key: 'title-search-any',
    label: 'Title search, any status',
    method: 'GET',
    path: '/tickets?q=printer&status=any',
    as: 'admin',
    data: 'main',
    headers: NO_CACHE,
    target: { p99Ms: 50 },
  },
  {
    key: 'create',
    label: 'Create a ticket',
    method: 'POST',
    path: '/tickets',
    as: 'staff',
    data: 'main',
    // The ticket window's fields as the form sends them; htmx gets the "created" fragment.
    // Assigned to a colleague, so each create also queues the assignee's email (the
    // outbox row the target names) and puts its creator among the associated staff.
    headers: { 'hx-request': 'true' },
    form: (n, colleague) => ({
      title: benchTitle(n),
      due_date: dueDate(),
      priority: PRIORITIES[n % PRIORITIES.length] ?? 'low',
      description: 'Placeholder description written by the benchmark. It stands in for PHI.',
      assignee: String(colleague),
      opened_from: '/',
    }),
    target: { rps: 1000 },
  },
  STATUS_CHANGE,
  {
    key: 'reports',
    label: 'Reports (last twelve weeks)',
    method: 'GET',
    path: '/reports',
    as: 'admin',
    data: 'main',
    target: { p99Ms: 200 },
    note: 'issue 18: under 200 ms p99 at 1,000,000 tickets',
  },
  {
    key: 'reports-filtered',
    label: 'Reports, one department, charts only',
    method: 'GET',
    path: '/reports?department=Billing',
    as: 'admin',
    data: 'main',
    headers: { 'hx-request': 'true' },
    target: { p99Ms: 200 },
    note: 'issue 18: the htmx swap of the filter form',
  },
  {
    key: 'reports-busy',
    label: 'Reports while a ticket changes every second',
    method: 'GET',
    path: '/reports',
    as: 'admin',
    data: 'main',
    changesPerSecond: 1,
    target: { p99Ms: 200 },
    note: 'issue 18: the figures are counted again after every change',
  },
  {
    key: 'healthz',
    label: '/healthz (no session)',
    method: 'GET',
    path: '/healthz',
    as: 'none',
    data: 'main',
    target: {},
    note: 'reference: the cost of a request with no session or page',
  },
];
