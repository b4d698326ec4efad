import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { databaseFile } from '../src/db/index.js';
import { ROOT } from '../src/root.js';
import { type Load, type Measurement, measure, median, medianOf, probe } from './measure.js';
import { type BenchOptions, parseOptions } from './options.js';
import { postgresCopy, roundRobin, seededKey } from './postgres.js';
import { freePort, peakRss, type RunningServer, startNodeServer } from './processes.js';
import {
  type GrowthColumn,
  missedTargets,
  type Report,
  renderGrowth,
  renderOsticket,
  renderReport,
  type ScenarioResult,
  writeReport,
} from './report.js';
import { SCENARIOS, type Scenario, STATUS_CHANGE } from './scenarios.js';
import { type Manifest, migrateSeeded, readManifest, seedDataDir, staleBecause } from './seed.js';
import { type SignedIn, signInOverHttp, stillSignedIn } from './session.js';
import { runSoak } from './soak.js';
import { startCommand } from './start-command.js';

const log = (line: string) => console.log(line);

async function seeded(
  dir: string,
  shape: { tickets: number; staff: number; openShare?: number },
  reuse: boolean,
): Promise<Manifest> {
  const { tickets, staff, openShare } = shape;
  const existing = readManifest(dir);
  const stale = existing ? staleBecause(existing) : null;
  if (reuse && existing && stale) log(`Not reusing ${dir}: ${stale}`);
  if (
    reuse &&
    existing?.tickets === tickets &&
    existing.staff === staff &&
    existing.openShare === openShare &&
    !stale
  ) {
    const ran = await migrateSeeded(dir, existing);
    log(
      `Reusing ${dir} (${existing.tickets.toLocaleString('en-US')} tickets, seeded ${existing.seededAt})${ran.length ? `, migrated: ${ran.join(', ')}` : ''}`,
    );
    return existing;
  }
  log(
    `Seeding ${dir}: ${tickets.toLocaleString('en-US')} tickets, ${staff.toLocaleString('en-US')} staff${openShare ? `, ${Math.round(openShare * 100)}% open` : ''}`,
  );
  const manifest = await seedDataDir({ dataDir: dir, tickets, staff, openShare, log });
  log(`  done in ${manifest.seedSeconds} s`);
  return manifest;
}

/** A PostgreSQL copy of a seeded data set, and the key its PHI is encrypted with. */
interface PostgresStore {
  databaseUrl: string;
  key: string;
}

async function storeFor(
  options: BenchOptions,
  dir: string,
  manifest: Manifest,
): Promise<PostgresStore | null> {
  if (options.store !== 'postgres' || !options.databaseUrl) return null;
  const name = basename(dir);
  return {
    databaseUrl: await postgresCopy(options.databaseUrl, dir, name, manifest, log),
    key: seededKey(dir),
  };
}

/**
 * The real server, built from this checkout, over a seeded data directory, or
 * over its PostgreSQL copy (then with a DATA_DIR of its own: several processes
 * may serve one database, never one DATA_DIR).
 */
async function startHushdesk(
  name: string,
  dataDir: string,
  options: BenchOptions,
  store: PostgresStore | null = null,
): Promise<RunningServer> {
  const port = await freePort();
  const profileDir = join(dataDir, 'profiles');
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  const own = store ? mkdtempSync(join(tmpdir(), 'hushdesk-bench-')) : null;
  // The server as `npm start` runs it, with its Node.js flags (its memory bounds).
  const start = startCommand(ROOT);
  const server = await startNodeServer({
    name,
    script: start.script,
    port,
    readyPath: '/healthz',
    nodeArgs: [
      ...start.nodeArgs,
      ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
    // The default log level, so the request log costs here what it costs in use.
    quiet: true,
    env: {
      DATA_DIR: own ?? dataDir,
      ...(store ? { DATABASE_URL: store.databaseUrl, HUSHDESK_KEY: store.key } : {}),
      LOG_LEVEL: 'info',
      BASE_URL: `http://127.0.0.1:${port}`,
      // Generous, so no bench session can time out between runs (the default is 15 minutes).
      SESSION_IDLE_MINUTES: '1440',
      SESSION_MAX_HOURS: '168',
    },
  });
  if (!own) return server;
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(own, { recursive: true, force: true });
    },
  };
}

/** `count` processes on one store behind one address (a round-robin proxy when more than one). */
async function startServing(
  name: string,
  dataDir: string,
  options: BenchOptions,
  store: PostgresStore | null,
  count: number,
): Promise<{ front: RunningServer; all: RunningServer[] }> {
  const first = await startHushdesk(name, dataDir, options, store);
  if (count === 1) return { front: first, all: [first] };
  const all = [first];
  for (let i = 2; i <= count; i++)
    all.push(await startHushdesk(`${name} ${i}`, dataDir, options, store));
  const proxy = await roundRobin(all.map((s) => Number(new URL(s.url).port)));
  const front = { ...first, name: `${name} ×${count}`, url: proxy.url, stop: proxy.close };
  return { front, all: [...all, front] };
}

/** A running hushdesk, the data it was seeded with, and who is signed in to it. */
interface SeededServer {
  server: RunningServer;
  manifest: Manifest;
  clients: Partial<Record<'staff' | 'admin', SignedIn>>;
}

async function signInAll(target: SeededServer, scenarios: Scenario[]): Promise<void> {
  for (const as of ['staff', 'admin'] as const) {
    if (!scenarios.some((s) => s.as === as)) continue;
    const persona = target.manifest.personas[as];
    target.clients[as] = await signInOverHttp(
      target.server.url,
      persona.username,
      target.manifest.password,
    );
    log(`Signed in to ${target.server.name} as ${persona.name} (${persona.username}, ${as})`);
  }
}

function withColleague(
  form: NonNullable<Scenario['form']>,
  colleague: number,
): (n: number) => Record<string, string> {
  return (n) => form(n, colleague);
}

function loadFor(scenario: Scenario, target: SeededServer): Load {
  // Changes go to the persona's open tickets when there are enough to spread the writes.
  const ids =
    scenario.method === 'POST' && target.manifest.openForStaff.length >= 50
      ? target.manifest.openForStaff
      : target.manifest.visibleToStaff;
  const load: Load = {
    url: target.server.url,
    method: scenario.method,
    path: scenario.path,
    ids: scenario.path.includes(':id') ? ids : [],
    client: scenario.as === 'none' ? null : (target.clients[scenario.as] ?? null),
    form: scenario.form && withColleague(scenario.form, target.manifest.personas.champion.id),
    headers: scenario.headers,
  };
  if (scenario.changesPerSecond) {
    // The inline status change, sent by the scenario's own persona.
    const change = loadFor({ ...STATUS_CHANGE, as: scenario.as }, target);
    load.alongside = { load: change, perSecond: scenario.changesPerSecond };
  }
  return load;
}

/**
 * Waits until the server has answered every request autocannon left in flight
 * (a slow scenario's backlog must not land on the next one): until /healthz
 * answers within 20 ms, for at most a minute.
 */
async function drain(url: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
    } catch {
      // The floor has no /healthz route; any answer says it is idle.
    }
    if (performance.now() - started < 20) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The machine is shared: wait (up to `seconds`) for the 1-minute load average to fall below `max`. */
async function quietMachine(max: number, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let load = loadavg()[0] ?? 0;
  if (load < max) return;
  log(`Load average ${load.toFixed(2)}: waiting up to ${seconds} s for it to fall below ${max}`);
  while (load >= max && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 15_000));
    load = loadavg()[0] ?? 0;
  }
  log(
    load < max
      ? `Load average ${load.toFixed(2)}: measuring`
      : `Still ${load.toFixed(2)}: measuring anyway`,
  );
}

/** One data set to measure: where it lives, its shape, and which scenarios run on it. */
interface DataSpec {
  dir: string;
  /** hushdesk processes serving it (more than one only on PostgreSQL). */
  processes?: number;
  tickets: number;
  staff: number;
  openShare?: number;
  scenarios: Scenario[];
}

/** What one round of measurement over a data set found. */
interface Round {
  manifest: Manifest;
  searchManifest: Manifest | null;
  floor: Measurement;
  floorSingle: Measurement;
  results: ScenarioResult[];
  startupMs: number;
  peakRssBytes: number | null;
  loadByRun: number[];
}

/**
 * Reads a SQLite store's file through once, so every scenario finds it in the
 * operating system's file cache, as on a server that has been running. This
 * machine's cache was seen to keep only 166 MB of the 2.3 GB million-ticket
 * file between runs; the first scenarios then measured the disk (the floor
 * itself fell from about 5,500 to 2,600 a second).
 */
async function warmFileCache(dataDir: string): Promise<void> {
  const file = await open(databaseFile(dataDir), 'r');
  const buffer = Buffer.allocUnsafe(4 * 2 ** 20);
  try {
    while ((await file.read(buffer, 0, buffer.length, null)).bytesRead > 0) {
      // Read and dropped: only the cache is wanted.
    }
  } finally {
    await file.close();
  }
}

async function benchData(options: BenchOptions, spec: DataSpec): Promise<Round> {
  const { scenarios } = spec;
  const base = resolve(options.dataDir);
  const mainManifest = await seeded(join(base, spec.dir), spec, options.reuse);
  const needsSearch = scenarios.some((s) => s.data === 'search');
  const searchManifest = needsSearch
    ? await seeded(
        join(base, `staff-${options.searchStaff}`),
        { tickets: 1000, staff: options.searchStaff },
        options.reuse,
      )
    : null;

  const store = await storeFor(options, join(base, spec.dir), mainManifest);
  const searchStore = searchManifest
    ? await storeFor(options, join(base, `staff-${options.searchStaff}`), searchManifest)
    : null;
  if (!store) await warmFileCache(join(base, spec.dir));
  if (searchManifest && !searchStore)
    await warmFileCache(join(base, `staff-${options.searchStaff}`));
  const servers: RunningServer[] = [];
  try {
    // Start-up is timed first, with nothing else of ours running: the median of three starts.
    const startups: number[] = [];
    for (let i = 0; i < 2; i++) {
      const trial = await startHushdesk(
        'hushdesk',
        join(base, spec.dir),
        { ...options, profile: false },
        store,
      );
      startups.push(trial.startupMs);
      await trial.stop();
    }
    const serving = await startServing(
      'hushdesk',
      join(base, spec.dir),
      options,
      store,
      spec.processes ?? 1,
    );
    const main = serving.front;
    servers.push(...serving.all);
    startups.push(main.startupMs);
    const startupMs = median(startups);
    log(
      `hushdesk ready in ${startups.map((t) => t.toFixed(0)).join(', ')} ms (median ${startupMs.toFixed(0)}) on ${mainManifest.tickets.toLocaleString('en-US')} tickets`,
    );
    const floorServer = await startNodeServer({
      name: 'floor',
      script: join(ROOT, 'dist', 'bench', 'floor.js'),
      port: await freePort(),
      readyPath: '/',
      env: { DATA_DIR: join(base, spec.dir) },
    });
    servers.push(floorServer);
    const targets: Record<'main' | 'search', SeededServer | null> = {
      main: { server: main, manifest: mainManifest, clients: {} },
      search: null,
    };
    await signInAll(
      targets.main as SeededServer,
      scenarios.filter((s) => s.data === 'main'),
    );
    if (searchManifest) {
      const searching = await startServing(
        'hushdesk (5,000 staff)',
        join(base, `staff-${options.searchStaff}`),
        options,
        searchStore,
        spec.processes ?? 1,
      );
      const server = searching.front;
      servers.push(...searching.all);
      targets.search = { server, manifest: searchManifest, clients: {} };
      await signInAll(
        targets.search,
        scenarios.filter((s) => s.data === 'search'),
      );
    }

    const floorLoad: Load = {
      url: floorServer.url,
      method: 'GET',
      path: '/',
      ids: [],
      client: null,
    };
    const live: { scenario: Scenario; load: Load; runs: Measurement[]; single: Measurement[] }[] =
      [];
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const target = targets[scenario.data] as SeededServer;
      const load = loadFor(scenario, target);
      const status = await probe(load);
      const expected = scenario.method === 'GET' ? status === 200 : status >= 200 && status < 400;
      if (status === 404) {
        results.push({ scenario, measurement: null, unavailable: 'not available on this build' });
      } else if (!expected) {
        results.push({
          scenario,
          measurement: null,
          unavailable: `answered ${status}; not measured`,
        });
      } else {
        live.push({ scenario, load, runs: [], single: [] });
        results.push({ scenario, measurement: null });
      }
      log(`${scenario.label}: ${status}`);
    }

    const warmup = Math.min(2, options.duration);
    log(`Warming up (${warmup} s each)`);
    for (const load of [floorLoad, ...live.map((l) => l.load)]) {
      await measure(load, options.connections, warmup);
      await drain(load.url);
    }
    if (options.maxLoad > 0) await quietMachine(options.maxLoad, options.loadWait);
    // Runs interleave, so a burst of load from elsewhere on the machine hits every scenario alike.
    // Each round also times one request at a time (one connection): the latency nobody queues for.
    const singleSeconds = Math.max(1, Math.ceil(options.duration / 2));
    const floorRuns: Measurement[] = [];
    const floorSingles: Measurement[] = [];
    const loadByRun: number[] = [];
    for (let run = 1; run <= options.runs; run++) {
      loadByRun.push(loadavg()[0] ?? 0);
      const floor = await measure(floorLoad, options.connections, options.duration);
      floorRuns.push(floor);
      await drain(floorLoad.url);
      floorSingles.push(await measure(floorLoad, 1, singleSeconds));
      log(
        `run ${run} (load ${loadByRun.at(-1)?.toFixed(2)}): floor ${floor.rps.toFixed(0)} req/s, p99 ${floor.p99} ms`,
      );
      for (const entry of live) {
        const m = await measure(entry.load, options.connections, options.duration);
        await drain(entry.load.url);
        entry.runs.push(m);
        const one = await measure(entry.load, 1, singleSeconds);
        entry.single.push(one);
        log(
          `run ${run}: ${entry.scenario.label} ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.failures ? `, ${m.failures} unexpected` : ''}; alone p50 ${one.p50.toFixed(1)} ms`,
        );
      }
    }
    for (const entry of live) {
      const result = results.find((r) => r.scenario === entry.scenario);
      if (result) {
        result.measurement = medianOf(entry.runs);
        result.single = medianOf(entry.single);
      }
    }
    for (const target of [targets.main, targets.search]) {
      for (const client of Object.values(target?.clients ?? {})) {
        if (target && !(await stillSignedIn(target.server.url, client))) {
          throw new Error(
            `the session of ${client.username} ended during the bench: the figures are not valid`,
          );
        }
      }
    }
    return {
      manifest: mainManifest,
      searchManifest,
      floor: medianOf(floorRuns),
      floorSingle: medianOf(floorSingles),
      results,
      startupMs,
      peakRssBytes: peakRss(main.pid),
      loadByRun,
    };
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

/** What one round found, as the report renders it. */
function reportOf(
  round: Round,
  date: string,
  machine: Report['machine'],
  options: BenchOptions,
  store?: string,
): Report {
  return {
    date,
    machine,
    data: {
      tickets: round.manifest.tickets,
      staff: round.manifest.staff,
      searchStaff: round.searchManifest?.staff ?? 0,
      seedSeconds: round.manifest.seedSeconds,
    },
    settings: { runs: options.runs, duration: options.duration, connections: options.connections },
    floor: round.floor,
    floorSingle: round.floorSingle,
    results: round.results,
    startupMs: round.startupMs,
    peakRssBytes: round.peakRssBytes,
    preliminary: round.results.some((r) => r.unavailable === 'not available on this build'),
    ...(store ? { store } : {}),
  };
}

/** The osTicket comparison: the open-ticket list as a staff member and as an administrator. */
const OSTICKET_SCENARIOS = ['home', 'home-rendered', 'all-open', 'all-open-rendered'];

/** The scan-like soak instead of the scenarios: memory at the start, as it runs and at the end. */
async function soak(options: BenchOptions): Promise<void> {
  const dir = join(resolve(options.dataDir), 'main');
  const manifest = await seeded(
    dir,
    { tickets: options.tickets, staff: options.staff },
    options.reuse,
  );
  const server = await startHushdesk('hushdesk', dir, options);
  try {
    await runSoak({
      url: server.url,
      pid: server.pid,
      admin: await signInOverHttp(server.url, manifest.personas.admin.username, manifest.password),
      seconds: options.soakSeconds,
      connections: options.connections,
      log,
    });
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.soak) return soak(options);
  const loadBefore = loadavg();
  const scenarios = SCENARIOS.filter((s) => !options.only.length || options.only.includes(s.key));
  const write = !options.noWrite && !options.only.length;
  const doc = join(ROOT, 'docs', 'performance.md');
  const date = () => `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const machine = (loadByRun: number[]) => ({
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: totalmem() / 1024 ** 3,
    node: process.version,
    loadBefore,
    loadByRun,
  });

  if (options.store === 'postgres') {
    // The same scenarios on the SQLite file, then on PostgreSQL served by one
    // process and by two, in one run: each table against its own floor.
    const stores = [
      { store: 'sqlite' as const, processes: 1, label: 'the SQLite file, one hushdesk process' },
      {
        store: 'postgres' as const,
        processes: 1,
        label: 'PostgreSQL (a copy of the seeded SQLite store), one hushdesk process',
      },
      {
        store: 'postgres' as const,
        processes: 2,
        label:
          'PostgreSQL, two hushdesk processes behind a round-robin TCP proxy in the bench process',
      },
    ];
    const tables: string[] = [];
    for (const { store, processes, label } of stores) {
      const round = await benchData(
        { ...options, store },
        { dir: 'main', tickets: options.tickets, staff: options.staff, scenarios, processes },
      );
      tables.push(renderReport(reportOf(round, date(), machine(round.loadByRun), options, label)));
    }
    const text = tables.join('\n\n');
    console.log(`\n${text}\n`);
    if (write) writeReport(doc, text, 'postgres');
    return;
  }

  const round = await benchData(options, {
    dir: 'main',
    tickets: options.tickets,
    staff: options.staff,
    scenarios,
  });
  const report = reportOf(round, date(), machine(round.loadByRun), options);
  const table = renderReport(report);
  console.log(`\n${table}\n`);
  if (write) writeReport(doc, table);

  if (options.osticket) {
    const shaped = await benchData(options, {
      dir: 'osticket',
      tickets: 250_000,
      staff: 50,
      openShare: 0.78,
      scenarios: SCENARIOS.filter((s) => OSTICKET_SCENARIOS.includes(s.key)),
    });
    const text = renderOsticket(shaped, date());
    console.log(`\n${text}\n`);
    if (write) writeReport(doc, text, 'osticket');
  }

  if (options.growth.length) {
    const sizes: GrowthColumn[] = [];
    for (const tickets of options.growth) {
      const grown = await benchData(options, {
        dir: tickets === options.tickets ? 'main' : `tickets-${tickets}`,
        tickets,
        staff: options.staff,
        scenarios,
      });
      sizes.push({ tickets, floor: grown.floor, results: grown.results });
    }
    const text = renderGrowth(sizes, date());
    console.log(`\n${text}\n`);
    if (write) writeReport(doc, text, 'growth');
  }
  if (!write) log('docs/performance.md left as it was (--no-write or --only).');
  else {
    // The tables are written unpadded; the project's formatter lines them up, as
    // `.ci/run` checks, so a bench run never leaves a file that fails the lint.
    execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', doc], {
      stdio: 'ignore',
    });
    log('Written to docs/performance.md.');
  }

  if (options.check) {
    const misses = missedTargets(report);
    if (misses.length) {
      console.error(`Missed targets:\n${misses.map((m) => `  - ${m}`).join('\n')}`);
      process.exitCode = 1;
    } else {
      log('Every target met.');
    }
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
