import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { FILL_REPORT_TIMES } from '../migrations/0080_reports.js';
import { FILL_REPORT_MINUTES } from '../migrations/0180_report_daily.js';
import { hashPassword } from '../src/auth/passwords.js';
import { createDb, databaseFile } from '../src/db/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { ensureReportCalendar } from '../src/reports/calendar.js';
import { CODE_DIR } from '../src/root.js';
import { parseOptions } from './options.js';
import { createPhiSealer } from './phi.js';
import { Random } from './random.js';
import { seedStaff } from './seed-staff.js';
import { seedTickets } from './seed-tickets.js';

/** Every seeded member signs in with this; bench data only, never a real install. */
export const BENCH_PASSWORD = 'bench password 2026';

/** The big tables whose indexes are dropped during the load and built once at the end. */
const BULK_TABLES = [
  'tickets',
  'ticket_notes',
  'ticket_events',
  'ticket_associated_staff',
  'ticket_report_times',
];

export interface SeedOptions {
  dataDir: string;
  tickets: number;
  staff: number;
  seed?: number;
  /** See TicketSeedOptions.openShare. */
  openShare?: number;
  log?: (line: string) => void;
}

export interface Persona {
  id: number;
  username: string;
  name: string;
}

/**
 * How the seeder lays data out. Bump it when seeded rows change shape (as when
 * descriptions became encrypted), so `--reuse` seeds afresh instead of timing
 * data the app no longer writes.
 */
export const SEED_LAYOUT = 3;

/** What the driver needs to know about a seeded data directory (saved as bench.json in it). */
export interface Manifest {
  layout: number;
  /** The migrations the data directory was seeded under, in order. */
  migrations: string[];
  tickets: number;
  staff: number;
  /** Set for the osTicket-shaped data (every ticket open with this chance). */
  openShare?: number;
  seededAt: string;
  seedSeconds: number;
  password: string;
  counts: Record<string, number>;
  /** Busy ordinary staff (sees only their own tickets), an administrator, a champion. */
  personas: { staff: Persona; admin: Persona; champion: Persona };
  /** Ticket numbers the staff persona may see, and those still open and assigned to them. */
  visibleToStaff: number[];
  openForStaff: number[];
}

const MANIFEST = 'bench.json';

/** The migrations this build ships, by name, in order. */
export function shippedMigrations(): string[] {
  return readdirSync(join(CODE_DIR, '..', 'migrations'))
    .filter((f) => /^\d{4}_[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .sort();
}

/**
 * Why a data directory seeded earlier cannot stand for this build, or null when
 * it can: another layout, or a migration it has that this build does not ship.
 * Migrations it lacks are not a reason: `migrateSeeded` runs them.
 */
export function staleBecause(manifest: Manifest): string | null {
  if (manifest.layout !== SEED_LAYOUT) return 'seeded by an older seeder';
  const shipped = new Set(shippedMigrations());
  const unknown = (manifest.migrations ?? []).filter((m) => !shipped.has(m));
  if (unknown.length) return `seeded with migrations this build lacks: ${unknown.join(', ')}`;
  return null;
}

/**
 * Brings a data directory seeded earlier up to this build's schema with the
 * app's own migrator (as an upgrade would), then refreshes the planner
 * statistics the way the seeder leaves them. Returns the migrations it ran.
 */
export async function migrateSeeded(dataDir: string, manifest: Manifest): Promise<string[]> {
  const db = createDb(dataDir);
  let ran: string[];
  try {
    const result = await migrateToLatest(db);
    ran = (result.results ?? []).map((r) => r.migrationName);
  } finally {
    await db.destroy();
  }
  if (!ran.length) return ran;
  const sqlite = new SQLite(databaseFile(dataDir));
  try {
    analyze(sqlite);
  } finally {
    sqlite.close();
  }
  manifest.migrations = [...(manifest.migrations ?? []), ...ran];
  writeFileSync(join(dataDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return ran;
}

/** Planner statistics, sampled as `PRAGMA optimize` does (https://sqlite.org/lang_analyze.html). */
function analyze(sqlite: SQLite.Database): void {
  sqlite.pragma('analysis_limit = 1000');
  sqlite.exec('analyze');
}

export function readManifest(dataDir: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/**
 * A fresh DATA_DIR, migrated by the real migrator, then filled through prepared
 * statements in large transactions with the journal and fsync off and the big
 * tables' indexes built once at the end: a bulk load, not the app's write path.
 */
export async function seedDataDir(options: SeedOptions): Promise<Manifest> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const dataDir = resolve(options.dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const now = Date.now();
  const db = createDb(dataDir);
  const migrated = await migrateToLatest(db);
  const migrations = (migrated.results ?? []).map((r) => r.migrationName);
  const seal = await createPhiSealer(db, dataDir, new Date(now));
  await db.destroy();
  const passwordHash = await hashPassword(BENCH_PASSWORD);

  const sqlite = new SQLite(databaseFile(dataDir));
  sqlite.pragma('journal_mode = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('locking_mode = EXCLUSIVE');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -262144');
  const schemaOf = (type: 'index' | 'trigger') =>
    sqlite
      .prepare(
        `select name, sql from sqlite_master where type = ? and sql is not null
         and tbl_name in (${BULK_TABLES.map(() => '?').join(', ')})`,
      )
      .all(type, ...BULK_TABLES) as { name: string; sql: string }[];
  const indexes = schemaOf('index');
  for (const index of indexes) sqlite.exec(`drop index "${index.name}"`);
  // The triggers keep the FTS5 title indexes; row by row they were 40% of the
  // load. The indexes are filled in one pass at the end instead.
  const triggers = schemaOf('trigger');
  for (const trigger of triggers) sqlite.exec(`drop trigger "${trigger.name}"`);

  const random = new Random(options.seed);
  const staff = seedStaff(sqlite, random, options.staff, passwordHash, now);
  log(`  ${staff.length.toLocaleString('en-US')} staff`);
  const tickets = seedTickets(sqlite, random, staff, {
    tickets: options.tickets,
    now,
    seal,
    openShare: options.openShare,
  });
  log(
    `  ${tickets.tickets.toLocaleString('en-US')} tickets, ${tickets.notes.toLocaleString('en-US')} notes, ${tickets.events.toLocaleString('en-US')} events (${seconds(started)} s)`,
  );

  for (const index of indexes) sqlite.exec(index.sql);
  fillTitleIndexes(sqlite);
  // What the Reports triggers would have written (migrations 0080 and 0180);
  // the per-day counts follow once the database is closed (they need the zone).
  sqlite.exec(FILL_REPORT_TIMES);
  sqlite.exec(FILL_REPORT_MINUTES);
  fillOpenCounts(sqlite);
  for (const trigger of triggers) sqlite.exec(trigger.sql);
  log(`  indexes built (${seconds(started)} s)`);
  analyze(sqlite);
  sqlite.pragma('journal_mode = WAL');
  sqlite.close();
  // The server's zone when TZ is not set is this process's own (src/config.ts).
  const counted = createDb(dataDir);
  await ensureReportCalendar(
    counted,
    Intl.DateTimeFormat().resolvedOptions().timeZone,
    new Date(now),
  );
  await counted.destroy();

  const find = (role: string, id?: number) => {
    const member = staff.find((s) => (id ? s.id === id : s.role === role && s.active));
    if (!member) throw new Error(`no ${role} among the seeded staff`);
    return { id: member.id, username: member.username, name: member.name };
  };
  const manifest: Manifest = {
    layout: SEED_LAYOUT,
    migrations,
    tickets: options.tickets,
    staff: options.staff,
    openShare: options.openShare,
    seededAt: new Date(now).toISOString(),
    seedSeconds: Number(seconds(started)),
    password: BENCH_PASSWORD,
    counts: {
      staff: staff.length,
      tickets: tickets.tickets,
      notes: tickets.notes,
      events: tickets.events,
      associated: tickets.associated,
    },
    personas: {
      staff: find('staff', tickets.personaId || undefined),
      admin: find('admin'),
      champion: find('champion'),
    },
    visibleToStaff: spread(tickets.personaVisible, 1000),
    openForStaff: spread(tickets.personaOpen, 500),
  };
  writeFileSync(join(dataDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * What the title-index triggers would have written (migrations 0050 and 0052):
 * every title in the full index (external content, so FTS5 rebuilds it from
 * tickets), and the open tickets' titles in the open-ticket index.
 */
function fillTitleIndexes(sqlite: SQLite.Database): void {
  sqlite.exec(`insert into tickets_title_fts(tickets_title_fts) values ('rebuild')`);
  sqlite.exec(`insert into tickets_open_title_fts(rowid, title)
    select id, title from tickets where status in ('new', 'in_progress', 'waiting')`);
}

/** What the open-count triggers (migrations/0110) would have kept, counted once. */
function fillOpenCounts(sqlite: SQLite.Database): void {
  const open = `status in ('new', 'in_progress', 'waiting')`;
  sqlite.exec(`delete from staff_open_counts;
    insert into staff_open_counts(staff_id, assigned, created, associated)
    select staff_id, sum(a), sum(c), sum(s) from (
      select assignee_id as staff_id, count(*) as a, 0 as c, 0 as s from tickets
        where ${open} and assignee_id is not null group by assignee_id
      union all select created_by, 0, count(*), 0 from tickets where ${open} group by created_by
      union all select tas.staff_id, 0, 0, count(*) from ticket_associated_staff tas
        join tickets on tickets.id = tas.ticket_id where tickets.${open} group by tas.staff_id
    ) group by staff_id`);
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

/** At most `max` items taken evenly across the list, so old and new tickets both appear. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)] as T);
}

/** `node dist/bench/seed.js --tickets N --staff N --data-dir DIR`: seeds one directory. */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  console.log(`Seeding ${options.dataDir}`);
  const manifest = await seedDataDir({ ...options, log: console.log });
  console.log(`Done in ${manifest.seedSeconds} s: ${JSON.stringify(manifest.counts)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
