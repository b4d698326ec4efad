import { mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../src/root.js';
import { type Load, type Measurement, measure, median, medianOf, probe } from './measure.js';
import { type BenchOptions, parseOptions } from './options.js';
import { freePort, peakRss, type RunningServer, startNodeServer } from './processes.js';
import { renderReport, type ScenarioResult, writeReport } from './report.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { type Manifest, migrateSeeded, readManifest, seedDataDir, staleBecause } from './seed.js';
import { type SignedIn, signInOverHttp, stillSignedIn } from './session.js';
import { runSoak } from './soak.js';

const log = (line: string) => console.log(line);

async function seeded(
  dir: string,
  tickets: number,
  staff: number,
  reuse: boolean,
): Promise<Manifest> {
  const existing = readManifest(dir);
  const stale = existing ? staleBecause(existing) : null;
  if (reuse && existing && stale) log(`Not reusing ${dir}: ${stale}`);
  if (reuse && existing?.tickets === tickets && existing.staff === staff && !stale) {
    const ran = await migrateSeeded(dir, existing);
    log(
      `Reusing ${dir} (${existing.tickets.toLocaleString('en-US')} tickets, seeded ${existing.seededAt})${ran.length ? `, migrated: ${ran.join(', ')}` : ''}`,
    );
    return existing;
  }
  log(
    `Seeding ${dir}: ${tickets.toLocaleString('en-US')} tickets, ${staff.toLocaleString('en-US')} staff`,
  );
  const manifest = await seedDataDir({ dataDir: dir, tickets, staff, log });
  log(`  done in ${manifest.seedSeconds} s`);
  return manifest;
}

/** The real server, built from this checkout, over a seeded data directory. */
async function startHushdesk(
  name: string,
  dataDir: string,
  options: BenchOptions,
): Promise<RunningServer> {
  const port = await freePort();
  const profileDir = join(dataDir, 'profiles');
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  return startNodeServer({
    name,
    script: join(ROOT, 'dist', 'src', 'server.js'),
    port,
    readyPath: '/healthz',
    nodeArgs: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    env: {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      BASE_URL: `http://127.0.0.1:${port}`,
      // Generous, so no bench session can time out between runs (the default is 15 minutes).
      SESSION_IDLE_MINUTES: '1440',
      SESSION_MAX_HOURS: '168',
    },
  });
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

function loadFor(scenario: Scenario, target: SeededServer): Load {
  // Changes go to the persona's open tickets when there are enough to spread the writes.
  const ids =
    scenario.method === 'POST' && target.manifest.openForStaff.length >= 50
      ? target.manifest.openForStaff
      : target.manifest.visibleToStaff;
  return {
    url: target.server.url,
    method: scenario.method,
    path: scenario.path,
    ids: scenario.path.includes(':id') ? ids : [],
    client: scenario.as === 'none' ? null : (target.clients[scenario.as] ?? null),
    form: scenario.form,
    headers: scenario.headers,
  };
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

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadBefore = loadavg();
  const scenarios = SCENARIOS.filter((s) => !options.only.length || options.only.includes(s.key));
  const base = resolve(options.dataDir);
  const mainManifest = await seeded(
    join(base, 'main'),
    options.tickets,
    options.staff,
    options.reuse,
  );
  const needsSearch = !options.soak && scenarios.some((s) => s.data === 'search');
  const searchManifest = needsSearch
    ? await seeded(
        join(base, `staff-${options.searchStaff}`),
        1000,
        options.searchStaff,
        options.reuse,
      )
    : null;

  const servers: RunningServer[] = [];
  try {
    if (options.soak) {
      const server = await startHushdesk('hushdesk', join(base, 'main'), options);
      servers.push(server);
      const persona = mainManifest.personas.admin;
      await runSoak({
        url: server.url,
        pid: server.pid,
        admin: await signInOverHttp(server.url, persona.username, mainManifest.password),
        seconds: options.soakSeconds,
        connections: options.connections,
        log,
      });
      return;
    }
    // Start-up is timed first, with nothing else of ours running: the median of three starts.
    const startups: number[] = [];
    for (let i = 0; i < 2; i++) {
      const trial = await startHushdesk('hushdesk', join(base, 'main'), {
        ...options,
        profile: false,
      });
      startups.push(trial.startupMs);
      await trial.stop();
    }
    const main = await startHushdesk('hushdesk', join(base, 'main'), options);
    servers.push(main);
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
      env: { DATA_DIR: join(base, 'main') },
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
      const server = await startHushdesk(
        'hushdesk (5,000 staff)',
        join(base, `staff-${options.searchStaff}`),
        options,
      );
      servers.push(server);
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
    const live: { scenario: Scenario; load: Load; runs: Measurement[] }[] = [];
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
        const entry = { scenario, load, runs: [] as Measurement[] };
        live.push(entry);
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
    const floorRuns: Measurement[] = [];
    const loadByRun: number[] = [];
    for (let run = 1; run <= options.runs; run++) {
      loadByRun.push(loadavg()[0] ?? 0);
      const floor = await measure(floorLoad, options.connections, options.duration);
      floorRuns.push(floor);
      log(
        `run ${run} (load ${loadByRun.at(-1)?.toFixed(2)}): floor ${floor.rps.toFixed(0)} req/s, p99 ${floor.p99} ms`,
      );
      await drain(floorLoad.url);
      for (const entry of live) {
        const m = await measure(entry.load, options.connections, options.duration);
        await drain(entry.load.url);
        entry.runs.push(m);
        log(
          `run ${run}: ${entry.scenario.label} ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.failures ? `, ${m.failures} unexpected` : ''}`,
        );
      }
    }
    for (const entry of live) {
      const result = results.find((r) => r.scenario === entry.scenario);
      if (result) result.measurement = medianOf(entry.runs);
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

    const table = renderReport({
      date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        memoryGb: totalmem() / 1024 ** 3,
        node: process.version,
        loadBefore,
        loadByRun,
      },
      data: {
        tickets: mainManifest.tickets,
        staff: mainManifest.staff,
        searchStaff: searchManifest?.staff ?? 0,
        seedSeconds: mainManifest.seedSeconds,
      },
      settings: {
        runs: options.runs,
        duration: options.duration,
        connections: options.connections,
      },
      floor: medianOf(floorRuns),
      results,
      startupMs,
      peakRssBytes: peakRss(main.pid),
      preliminary: results.some((r) => r.unavailable === 'not available on this build'),
    });
    console.log(`\n${table}\n`);
    if (options.noWrite || options.only.length) {
      log('docs/performance.md left as it was (--no-write or --only).');
    } else {
      writeReport(join(ROOT, 'docs', 'performance.md'), table);
      log('Written to docs/performance.md.');
    }
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
