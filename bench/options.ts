import { parseArgs } from 'node:util';

export interface BenchOptions {
  tickets: number;
  staff: number;
  /** Staff in the quick-search variant. */
  searchStaff: number;
  dataDir: string;
  runs: number;
  /** Seconds per measured run. */
  duration: number;
  connections: number;
  /** Keep a data directory seeded earlier with the same counts instead of seeding again. */
  reuse: boolean;
  /** Only these scenarios (names, comma-separated); all when empty. */
  only: string[];
  /** Write a CPU profile of the server (node --cpu-prof) into the data directory. */
  profile: boolean;
  /** Leave docs/performance.md alone (for trial runs). */
  noWrite: boolean;
  /** Before measuring, wait for the 1-minute load average to fall below this (0: do not wait). */
  maxLoad: number;
  /** How long to wait for it, in seconds. */
  loadWait: number;
  /** Instead of the scenarios: a scan-like soak, printing the server's memory at start and end. */
  soak: boolean;
  /** How long the soak runs, in seconds. */
  soakSeconds: number;
  /** Exit non-zero, naming each, when a target is missed (by hand and in release checks; not CI). */
  check: boolean;
  /** Also run the osTicket-shaped comparison (250,000 tickets, 50 staff, 78% open). */
  osticket: boolean;
  /** Also run the scenarios at each of these ticket counts, for the growth table. */
  growth: number[];
  /** Where the servers keep the seeded data: the SQLite file, or a PostgreSQL copy of it. */
  store: 'sqlite' | 'postgres';
  /** With --store postgres: a server the bench may create its databases on. */
  databaseUrl: string | null;
}

/**
 * 1,000,000 tickets by default: seeding them took 94 s (47 s of CPU) on the shared
 * 2-core machine, well within the 3 minutes we allow (docs/performance.md).
 */
export const DEFAULT_TICKETS = 1_000_000;

export const USAGE = `Usage: npm run bench -- [options]

  --tickets N        tickets to seed (default ${DEFAULT_TICKETS.toLocaleString('en-US')})
  --staff N          staff to seed (default 500)
  --search-staff N   staff in the quick-search variant (default 5000)
  --data-dir DIR     where the seeded data directories go (default ./bench-data)
  --reuse            keep data seeded earlier with the same counts
  --runs N           measured runs per scenario; the median is reported (default 3)
  --duration S       seconds per run (default 10)
  --connections N    concurrent connections (default 20)
  --only A,B         only the named scenarios (and the floor)
  --profile          write a CPU profile of the server (node --cpu-prof)
  --no-write         print the table but leave docs/performance.md alone
  --max-load L       before measuring, wait for the 1-minute load average to
                     fall below L (the machine is shared; default: do not wait)
  --load-wait S      wait at most S seconds for that (default 600)
  --soak             instead of the scenarios, send what a scanner sends (varied
                     filters, odd searches, failed sign-ins) and print the
                     server's memory at the start and the end
  --soak-seconds S   how long the soak runs (default 180)
  --check            exit non-zero when a target is missed, naming each (not for
                     CI: timings are not tests)
  --osticket         also run the osTicket-shaped comparison: 250,000 tickets,
                     50 staff, 78% open, the open-ticket list as staff and admin
  --growth A,B,C     also run every scenario at these ticket counts (e.g.
                     10000,100000,1000000) for the growth table
  --store postgres   run the scenarios on PostgreSQL, served by one process and
                     then by two behind one address: each seeded data set is
                     copied (hushdesk copy-store) into a database of its own,
                     hushdesk_bench_<set>, kept for --reuse
  --database-url URL with --store postgres: a PostgreSQL server the bench may
                     create databases on (default: DATABASE_URL)
`;

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} takes a whole number of at least ${min}, got "${raw}"`);
  }
  return value;
}

function decimal(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} takes a number of at least 0, got "${raw}"`);
  }
  return value;
}

export function parseOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      tickets: { type: 'string' },
      staff: { type: 'string' },
      'search-staff': { type: 'string' },
      'data-dir': { type: 'string' },
      reuse: { type: 'boolean', default: false },
      runs: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      'max-load': { type: 'string' },
      'load-wait': { type: 'string' },
      soak: { type: 'boolean', default: false },
      'soak-seconds': { type: 'string' },
      check: { type: 'boolean', default: false },
      osticket: { type: 'boolean', default: false },
      growth: { type: 'string' },
      store: { type: 'string' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const store = values.store ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') {
    throw new Error(`--store takes sqlite or postgres, got "${store}"`);
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL?.trim() ?? null;
  if (store === 'postgres' && !databaseUrl) {
    throw new Error('--store postgres needs --database-url postgres://… (or DATABASE_URL)');
  }
  return {
    tickets: whole('tickets', values.tickets, DEFAULT_TICKETS, 0),
    staff: whole('staff', values.staff, 500, 20),
    searchStaff: whole('search-staff', values['search-staff'], 5000, 20),
    dataDir: values['data-dir'] ?? 'bench-data',
    runs: whole('runs', values.runs, 3, 1),
    duration: whole('duration', values.duration, 10, 1),
    connections: whole('connections', values.connections, 20, 1),
    reuse: values.reuse,
    only: values.only ? values.only.split(',').map((s) => s.trim().toLowerCase()) : [],
    profile: values.profile,
    noWrite: values['no-write'],
    maxLoad: decimal('max-load', values['max-load'], 0),
    loadWait: whole('load-wait', values['load-wait'], 600, 0),
    soak: values.soak,
    soakSeconds: whole('soak-seconds', values['soak-seconds'], 180, 1),
    check: values.check,
    osticket: values.osticket,
    growth: values.growth
      ? values.growth.split(',').map((n) => whole('growth', n.trim(), 0, 100))
      : [],
    store,
    databaseUrl: store === 'postgres' ? databaseUrl : null,
  };
}
