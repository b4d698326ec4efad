import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompiledQuery, Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDataDir } from '../../bench/seed.js';
import { copyStore } from '../../src/db/copy-store.js';
import { createDb } from '../../src/db/index.js';
import { createPostgresPool, HushdeskPostgresDialect } from '../../src/db/postgres.js';
import type { Database } from '../../src/db/schema.js';
import { listTickets } from '../../src/repositories/ticket-lists.js';
import {
  BIG_TABLES,
  type Check,
  type Context,
  DATES,
  filters,
  PROBES,
  planContext,
  QUERIES,
  seeAll,
} from '../helpers/plan-queries.js';
import { createTestDatabase, type TestDatabase, testStore } from '../helpers/store.js';

/**
 * The query-plan test's PostgreSQL counterpart: the same queries, called as the
 * app calls them, on the bench seeder's data copied into PostgreSQL (copy-store)
 * and analyzed. Each statement is explained with sequential scans priced out
 * (`enable_seqscan = off`): a sequential scan of a big table that remains
 * means no index can answer the statement at all.
 */

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Alias?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own =
    node['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(node['Relation Name'] ?? '')
      ? [`Seq Scan on ${node['Relation Name']} ${node.Alias ?? ''}`.trim()]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

/** Every node of a plan, as "node type on index" (or on table). */
function nodesOf(node: PlanNode): string[] {
  const own = `${node['Node Type']} on ${node['Index Name'] ?? node['Relation Name'] ?? ''}`;
  return [own, ...(node.Plans ?? []).flatMap(nodesOf)];
}

let dir: string;
let database: TestDatabase;
let explainer: pg.Client;
let captured: CompiledQuery[] = [];
let context: Context;

async function explain(query: CompiledQuery): Promise<PlanNode> {
  const { rows } = await explainer.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `explain (format json) ${query.sql}`,
    query.parameters as unknown[],
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error(`no plan for ${query.sql}`);
  return plan;
}

async function plansOf(check: Check): Promise<{ sql: string; plan: PlanNode }[]> {
  captured = [];
  await check(context);
  const plans = [];
  for (const query of captured) plans.push({ sql: query.sql, plan: await explain(query) });
  return plans;
}

describe.skipIf(testStore !== 'postgres')('query plans on PostgreSQL, on realistic data', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hushdesk-pg-plan-'));
    const manifest = await seedDataDir({ dataDir: dir, tickets: 4000, staff: 300 });
    database = await createTestDatabase({ empty: true });
    const source = createDb(dir);
    const target = createDb('', database.url);
    try {
      await copyStore(source, target);
      await sql`analyze`.execute(target);
    } finally {
      await source.destroy();
      await target.destroy();
    }
    const db = new Kysely<Database>({
      dialect: new HushdeskPostgresDialect({ pool: createPostgresPool(database.url, 2) }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    explainer = new pg.Client({
      connectionString: database.url,
      options: '-c enable_seqscan=off',
    });
    await explainer.connect();
    context = await planContext(db, manifest);
  });

  afterAll(async () => {
    await explainer?.end();
    await context?.db.destroy();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the check itself catches a scan no index can answer and passes an index search', async () => {
    const scan = await plansOf(PROBES.titleScan);
    expect(scan.flatMap((s) => seqScans(s.plan))).toEqual(['Seq Scan on tickets t']);
    const search = await plansOf(PROBES.indexSearch);
    expect(search.flatMap((s) => seqScans(s.plan))).toEqual([]);
  });

  it('a title search gathers its matches from the GIN index first, rather than parse every title it walks', async () => {
    for (const q of ['printer jam', 'printer']) {
      const statements = await plansOf((c) =>
        listTickets(c.db, 'all', seeAll(c), filters({ q, status: 'any' }), DATES),
      );
      const page = statements.find((s) => /"tickets"\."title"/.test(s.sql));
      expect(page, q).toBeDefined();
      const nodes = nodesOf(page?.plan as PlanNode);
      expect(nodes, q).toContain('Bitmap Index Scan on tickets_title_search');
    }
  });

  for (const [name, entry] of Object.entries(QUERIES)) {
    it(`${name}: no sequential scan of a big table`, async () => {
      const run = typeof entry === 'function' ? entry : entry.run;
      const statements = await plansOf(run);
      expect(statements.length).toBeGreaterThan(0);
      for (const { sql: text, plan } of statements) {
        expect(seqScans(plan), `${text}\n${JSON.stringify(plan, null, 1)}`).toEqual([]);
      }
    });
  }
});
