import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { type CompiledQuery, Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, seedDataDir } from '../../bench/seed.js';
import { databaseFile } from '../../src/db/index.js';
import type { Database } from '../../src/db/schema.js';
import { HushdeskSqliteDialect } from '../../src/db/sqlite.js';
import { summarizeOutboxQueue } from '../../src/repositories/outbox.js';
import { countPerBand, countPerWeek, minutesAt } from '../../src/repositories/report-windows.js';
import { countOpenTickets, countOpenTicketsByAssignee } from '../../src/repositories/reports.js';
import { listTickets } from '../../src/repositories/ticket-lists.js';
import {
  BIG_TABLES,
  type Check,
  type Context,
  CURSOR,
  DATES,
  filters,
  PROBES,
  planContext,
  QUERIES,
  REPORT_NOW,
  reportWindow,
  seeAll,
  staffViewer,
} from '../helpers/plan-queries.js';

interface PlanRow {
  /** The plan line above this one (the subquery it belongs to). */
  parent: number;
  detail: string;
}

/** The names a big table goes by in this statement: its own and any alias. */
function namesOf(table: string, sql: string): string[] {
  const names = [table];
  const alias = new RegExp(`"?\\b${table}\\b"?\\s+as\\s+"?(\\w+)"?`, 'gi');
  for (const match of sql.matchAll(alias)) if (match[1]) names.push(match[1]);
  return names;
}

/** The plan lines that read a big table end to end ("SCAN x", as opposed to "SEARCH x USING INDEX"). */
function fullScans(sql: string, plan: PlanRow[]): string[] {
  const names = new Set(BIG_TABLES.flatMap((t) => namesOf(t, sql)));
  return plan
    .map((row) => row.detail)
    .filter((detail) => {
      const scanned = /^SCAN (\w+)\b/.exec(detail)?.[1];
      return scanned !== undefined && names.has(scanned);
    });
}

let dir: string;
let sqlite: SQLite.Database;
let manifest: Manifest;
let captured: CompiledQuery[] = [];
let context: Context;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hushdesk-plan-'));
  // Realistic shape (the bench's own seeder) and planner statistics (it ends with ANALYZE).
  manifest = await seedDataDir({ dataDir: dir, tickets: 4000, staff: 300 });
  sqlite = new SQLite(databaseFile(dir));
  const db = new Kysely<Database>({
    dialect: new HushdeskSqliteDialect({ database: sqlite }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  context = await planContext(db, manifest);
});

afterAll(async () => {
  await context?.db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function explain(query: CompiledQuery): PlanRow[] {
  return sqlite
    .prepare(`explain query plan ${query.sql}`)
    .all(...(query.parameters as unknown[])) as PlanRow[];
}

async function plansOf(check: Check): Promise<{ sql: string; plan: PlanRow[] }[]> {
  captured = [];
  await check(context);
  return captured.map((query) => ({ sql: query.sql, plan: explain(query) }));
}

describe('query plans on realistic data', () => {
  it('the check itself catches a full scan of tickets and passes an index search', async () => {
    const scan = await plansOf((c) =>
      c.db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    );
    expect(scan.flatMap((s) => fullScans(s.sql, s.plan))).not.toEqual([]);
    const aliased = await plansOf(PROBES.titleScan);
    expect(aliased.flatMap((s) => fullScans(s.sql, s.plan))).toEqual(['SCAN t']);
    const search = await plansOf(PROBES.indexSearch);
    expect(search.flatMap((s) => fullScans(s.sql, s.plan))).toEqual([]);
  });

  it('a later page enters the index at its cursor: page 200 reads what page 1 reads', async () => {
    const statements = await plansOf(async (c) => {
      await listTickets(c.db, 'all', seeAll(c), filters({ page: 200, after: CURSOR }), DATES);
      await listTickets(
        c.db,
        'assigned',
        staffViewer(c),
        filters({ page: 200, after: CURSOR }),
        DATES,
      );
    });
    const pages = statements.filter((s) => /\blimit\b/i.test(s.sql) && !/count\(/i.test(s.sql));
    expect(pages.length).toBeGreaterThan(0);
    for (const { sql, plan } of pages) {
      const details = plan.map((r) => r.detail).join(' | ');
      expect(details, sql).toMatch(/USING (COVERING )?INDEX \w+ \([^)]*updated_at<\?\)/);
    }
  });

  it('a title search that matches many walks the list order and tests each ticket; one that matches few sorts its matches', async () => {
    const pageOf = async (q: string) => {
      const statements = await plansOf((c) =>
        listTickets(c.db, 'all', seeAll(c), filters({ q, status: 'any' }), DATES),
      );
      const page = statements.find(
        (s) => /\blimit\b/i.test(s.sql) && /"tickets"\."title"/.test(s.sql),
      );
      expect(page).toBeDefined();
      return { sql: page?.sql ?? '', details: page?.plan.map((r) => r.detail).join(' | ') ?? '' };
    };
    // "printer" is in about a tenth of the seeded titles.
    const many = await pageOf('printer');
    expect(many.sql).toMatch(/\+tickets\.id in \(select rowid from tickets_title_fts/);
    expect(many.details).toMatch(/SCAN tickets USING COVERING INDEX tickets_updated/);
    expect(many.details).toMatch(/SCAN tickets_title_fts VIRTUAL TABLE/);
    // A My tickets tab: the person's own index, each of their tickets tested.
    const mine = await plansOf((c) =>
      listTickets(
        c.db,
        'assigned',
        staffViewer(c),
        filters({ q: 'printer', status: 'any' }),
        DATES,
      ),
    );
    const minePage = mine.find((s) => /"tickets"\."title"/.test(s.sql));
    expect(minePage?.sql).toMatch(/\+tickets\.id in \(select rowid from tickets_title_fts/);
    expect(minePage?.plan.map((r) => r.detail).join(' | ')).toMatch(
      /SEARCH tickets USING COVERING INDEX tickets_assignee \(assignee_id=\?\)/,
    );
    const few = await pageOf('printer jam');
    expect(few.sql).not.toMatch(/\+tickets\.id in/);
    expect(few.details).toMatch(/SEARCH tickets USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(few.details).not.toMatch(/SCAN tickets USING/);
  });

  it('Reports read no ticket row: the open-ticket, per-day and report-times queries walk covering indexes', async () => {
    const statements = await plansOf(async (c) => {
      await countOpenTickets(c.db, { department: null }, REPORT_NOW);
      await countOpenTicketsByAssignee(c.db, { department: null });
      await countPerWeek(c.db, reportWindow(c, null));
      await countPerBand(c.db, reportWindow(c, null));
      await countPerWeek(c.db, reportWindow(c, 'Billing'));
      await minutesAt(c.db, reportWindow(c, null), {
        measure: 1,
        priorityId: 1,
        band: 3,
        offset: 0,
      });
      await minutesAt(c.db, reportWindow(c, null), {
        measure: 2,
        priorityId: 1,
        band: 3,
        offset: 0,
      });
    });
    const first = statements.map((s) => s.plan.map((r) => r.detail).join(' | '));
    expect(first[0]).toMatch(/SEARCH t USING COVERING INDEX tickets_open_report/);
    // Everyone's load per assignee: the per-person open counts, no open ticket walked.
    expect(first[1]).toMatch(/SCAN c\b.*SCAN staff_open_counts/);
    expect(first[1]).not.toMatch(/\bt USING\b/);
    // Everyone's windowed figures: the per-day counts' own key, a range of days.
    expect(first[2]).toMatch(/SEARCH d USING PRIMARY KEY \(measure=\? AND day>\? AND day<\?\)/);
    expect(first[3]).toMatch(/SEARCH d USING PRIMARY KEY \(measure=\? AND day>\? AND day<\?\)/);
    // One department's: its tickets' report rows, by the window's moments.
    expect(first[4]).toMatch(/SEARCH r USING COVERING INDEX ticket_report_times_created/);
    expect(first[5]).toMatch(/SEARCH r USING COVERING INDEX ticket_report_times_completed/);
    // One band of one priority in the window, never the whole window.
    expect(first[6]).toMatch(
      /SEARCH r USING COVERING INDEX ticket_report_times_response_band \(priority_id=\? AND response_band=\? AND created_at>\? AND created_at<\?\)/,
    );
    expect(first[7]).toMatch(
      /SEARCH r USING COVERING INDEX ticket_report_times_complete_band \(priority_id=\? AND complete_band=\? AND completed_at>\? AND completed_at<\?\)/,
    );
  });

  it('/healthz counts the waiting mail from their index entries, however much delivered mail the outbox keeps', async () => {
    // Delivered messages stay for OUTBOX_RETENTION_DAYS; planner statistics that
    // have seen them once made SQLite read the whole outbox for this count.
    const insert = sqlite.prepare(
      `insert into outbox (kind, to_address, subject, text_body, html_body, message_id, status, next_attempt_at, created_at, sent_at)
       values ('assigned', 'a@example.org', 's', 't', 'h', ?, ?, ?, ?, ?)`,
    );
    sqlite.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
        insert.run(`<${i}@plan>`, i % 500 === 0 ? 'queued' : 'delivered_locally', at, at, at);
      }
    })();
    sqlite.exec('analyze outbox');
    const [summary] = await plansOf((c) => summarizeOutboxQueue(c.db));
    const details = summary?.plan.map((r) => r.detail).join(' | ') ?? '';
    expect(details).toMatch(
      /SEARCH outbox USING COVERING INDEX outbox_status_created \(status=\?\)/,
    );
    expect(details).not.toMatch(/SCAN outbox/);
  });

  for (const [name, entry] of Object.entries(QUERIES)) {
    it(`${name}: no full scan of a big table`, async () => {
      const run = typeof entry === 'function' ? entry : entry.run;
      const statements = await plansOf(run);
      expect(statements.length).toBeGreaterThan(0);
      for (const { sql, plan } of statements) {
        const scans = fullScans(sql, plan);
        const where = `${sql}\n${plan.map((r) => r.detail).join('\n')}`;
        if (typeof entry === 'function' || !scans.length) {
          expect(scans, where).toEqual([]);
          continue;
        }
        // A bounded scan: it must stop at a LIMIT and walk an index in order, with
        // no sort beside it in the same (sub)query. A sort of the page's rows
        // outside it is fine: it sorts only what the LIMIT let through.
        expect(/\blimit\b/i.test(sql), where).toBe(true);
        const scanParents = new Set(
          plan.filter((r) => scans.includes(r.detail)).map((r) => r.parent),
        );
        expect(
          plan.some((r) => r.detail.includes('TEMP B-TREE') && scanParents.has(r.parent)),
          where,
        ).toBe(false);
      }
    });
  }
});
