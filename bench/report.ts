import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measurement } from './measure.js';
import type { Scenario, Target } from './scenarios.js';

export interface ScenarioResult {
  scenario: Scenario;
  /** Null when the route is not on this build (or answered something else), with why. */
  measurement: Measurement | null;
  /** The same requests one at a time (one connection): latency with no queue. */
  single?: Measurement | null;
  unavailable?: string;
}

export interface Report {
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    loadBefore: number[];
    /** The 1-minute load average as each measured round began. */
    loadByRun: number[];
  };
  data: { tickets: number; staff: number; searchStaff: number; seedSeconds: number };
  settings: { runs: number; duration: number; connections: number };
  floor: Measurement;
  floorSingle: Measurement;
  results: ScenarioResult[];
  startupMs: number;
  peakRssBytes: number | null;
  preliminary: boolean;
  /** Where the data lived when not the SQLite file (PostgreSQL, and how many processes). */
  store?: string;
}

const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const ms = (n: number) => (n < 10 ? n.toFixed(1) : num(n));

function targetText(target: Target): string {
  const parts: string[] = [];
  if (target.floorRatio) parts.push(`≥ ${target.floorRatio}× floor`);
  if (target.rps) parts.push(`≥ ${num(target.rps)} req/s`);
  if (target.p99Ms) parts.push(`p99 ≤ ${target.p99Ms} ms`);
  return parts.join(', ') || '—';
}

/** "met", or "missed" with each shortfall and by how much. */
export function verdict(target: Target, m: Measurement, floor: Measurement): string {
  if (!target.floorRatio && !target.rps && !target.p99Ms) return '—';
  // No answer at all (every request timed out or failed) leaves no latency to
  // compare: NaN is never over a target, so it must not read as met.
  const answered = m.requests - m.failures;
  if (answered <= 0 || !Number.isFinite(m.p99)) return '**missed**: no answers';
  const misses: string[] = [];
  const pct = (a: number, b: number) => `${Math.round((Math.abs(a - b) / b) * 100)}%`;
  const ratio = m.rps / floor.rps;
  if (target.floorRatio && ratio < target.floorRatio) {
    misses.push(`${ratio.toFixed(2)}× floor, ${pct(ratio, target.floorRatio)} short`);
  }
  if (target.rps && m.rps < target.rps)
    misses.push(`${num(m.rps)} req/s, ${pct(m.rps, target.rps)} short`);
  if (target.p99Ms && m.p99 > target.p99Ms) {
    misses.push(`p99 ${ms(m.p99)} ms, ${pct(m.p99, target.p99Ms)} over`);
  }
  return misses.length ? `**missed**: ${misses.join('; ')}` : 'met';
}

export function renderReport(report: Report): string {
  const { machine, data, settings, floor } = report;
  const lines = [
    `Measured ${report.date}${report.preliminary ? ' — **preliminary**: most ticket routes are not on this build yet' : ''}.`,
    '',
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb.toFixed(0)} GB memory, Node ${machine.node}; load average before the run ${machine.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, as each measured round began ${machine.loadByRun.map((l) => l.toFixed(2)).join(', ')} (other people's work shares these cores).`,
    `Data: ${num(data.tickets)} tickets, ${num(data.staff)} staff (quick search: ${num(data.searchStaff)} staff); seeding took ${data.seedSeconds} s.`,
    ...(report.store ? [`Store: ${report.store}.`] : []),
    `Load: autocannon, ${settings.connections} connections, ${settings.duration} s per run, median of ${settings.runs} runs (each figure on its own); "alone": one connection, one request at a time, ${Math.max(1, Math.ceil(settings.duration / 2))} s per run.`,
    '',
    '| Scenario | Request | As | req/s | p50 ms | p99 ms | vs floor | alone p50 ms | alone p99 ms | Target | Result |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    `| Floor (bare Fastify + Eta + better-sqlite3, 50 rows) | GET / | — | ${num(floor.rps)} | ${ms(floor.p50)} | ${ms(floor.p99)} | 1.00× | ${ms(report.floorSingle.p50)} | ${ms(report.floorSingle.p99)} | — | — |`,
  ];
  for (const { scenario: s, measurement: m, single, unavailable } of report.results) {
    const request = `${s.method} ${s.path}`.replaceAll('|', '\\|');
    const as = s.as === 'none' ? '—' : s.as;
    if (!m) {
      lines.push(
        `| ${s.label} | ${request} | ${as} | | | | | | | ${targetText(s.target)} | ${unavailable} |`,
      );
      continue;
    }
    let result = verdict(s.target, m, floor);
    if (m.failures) result += ` (${num(m.failures)} of ${num(m.requests)} answers unexpected)`;
    if (s.note) result += ` (${s.note})`;
    lines.push(
      `| ${s.label} | ${request} | ${as} | ${num(m.rps)} | ${ms(m.p50)} | ${ms(m.p99)} | ${(m.rps / floor.rps).toFixed(2)}× | ${single ? ms(single.p50) : ''} | ${single ? ms(single.p99) : ''} | ${targetText(s.target)} | ${result} |`,
    );
  }
  const mb = report.peakRssBytes === null ? null : report.peakRssBytes / 1024 / 1024;
  lines.push(
    '',
    '| Server | Measured | Target | Result |',
    '| --- | ---: | --- | --- |',
    `| Start-up on the seeded data (spawn to first 200 from /healthz, median of 3) | ${num(report.startupMs)} ms | ≤ 1,000 ms | ${report.startupMs <= 1000 ? 'met' : `**missed** by ${num(report.startupMs - 1000)} ms`} |`,
    `| Peak memory (VmHWM at the end) | ${mb === null ? 'n/a' : `${mb.toFixed(0)} MB`} | ≤ 250 MB | ${mb === null ? 'not measured' : mb <= 250 ? 'met' : `**missed** by ${(mb - 250).toFixed(0)} MB`} |`,
  );
  return lines.join('\n');
}

/** Every missed target, one line each, for `--check`. */
export function missedTargets(report: Report): string[] {
  const misses: string[] = [];
  for (const { scenario, measurement, unavailable } of report.results) {
    const { floorRatio, rps, p99Ms } = scenario.target;
    if (!floorRatio && !rps && !p99Ms) continue;
    if (!measurement) {
      misses.push(`${scenario.label}: ${unavailable ?? 'not measured'}`);
      continue;
    }
    const result = verdict(scenario.target, measurement, report.floor);
    if (result !== 'met' && result !== '—') {
      misses.push(`${scenario.label}: ${result.replace('**missed**: ', '')}`);
    }
  }
  if (report.startupMs > 1000) misses.push(`start-up: ${num(report.startupMs)} ms (≤ 1,000 ms)`);
  const mb = report.peakRssBytes === null ? null : report.peakRssBytes / 1024 / 1024;
  if (mb !== null && mb > 250) misses.push(`peak memory: ${mb.toFixed(0)} MB (≤ 250 MB)`);
  return misses;
}

interface Shaped {
  manifest: { tickets: number; staff: number };
  floor: Measurement;
  results: ScenarioResult[];
  loadByRun: number[];
}

/**
 * hushdesk beside osTicket 1.18 (MariaDB) on the same shape: 250,000 tickets,
 * 50 staff, 78% open. osTicket's figures are the ones published for that
 * shape (a staff member's open-ticket queue), not measured here.
 */
export function renderOsticket(run: Shaped, date: string): string {
  const lines = [
    `Measured ${date}: ${num(run.manifest.tickets)} tickets, ${num(run.manifest.staff)} staff, 78% open; load average as each round began ${run.loadByRun.map((l) => l.toFixed(2)).join(', ')}; floor ${num(run.floor.rps)} req/s in the same rounds.`,
    '',
    '| Open-ticket list | As | one request at a time: p50 ms | p99 ms | under load: req/s | p50 ms | p99 ms | vs floor |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { scenario, measurement: m, single } of run.results) {
    if (!m) continue;
    lines.push(
      `| hushdesk: ${scenario.label} (${scenario.method} ${scenario.path}) | ${scenario.as} | ${single ? ms(single.p50) : ''} | ${single ? ms(single.p99) : ''} | ${num(m.rps)} | ${ms(m.p50)} | ${ms(m.p99)} | ${(m.rps / run.floor.rps).toFixed(2)}× |`,
    );
  }
  lines.push(
    '| osTicket 1.18 + MariaDB: staff open-ticket queue (published) | staff | 4,232 (854 at 50,000 tickets) | | 0.27 (10 connections) | | 28,000 | |',
  );
  return lines.join('\n');
}

export interface GrowthColumn {
  tickets: number;
  floor: Measurement;
  results: ScenarioResult[];
}

/** The same scenarios at each size: req/s against the floor, p99, and alone p50. */
export function renderGrowth(columns: GrowthColumn[], date: string): string {
  const head = columns.map((c) => `${num(c.tickets)} tickets`);
  const lines = [
    `Measured ${date}. Each cell: req/s under load (× the floor in the same rounds) / p99 ms / p50 ms one request at a time.`,
    '',
    `| Scenario | ${head.join(' | ')} |`,
    `| --- | ${head.map(() => '---:').join(' | ')} |`,
    `| Floor | ${columns.map((c) => `${num(c.floor.rps)} / ${ms(c.floor.p99)}`).join(' | ')} |`,
  ];
  const labels = [...new Set(columns.flatMap((c) => c.results.map((r) => r.scenario.label)))];
  for (const label of labels) {
    const cells = columns.map((c) => {
      const r = c.results.find((x) => x.scenario.label === label);
      const m = r?.measurement;
      if (!m) return r?.unavailable ?? '';
      const alone = r?.single ? ` / ${ms(r.single.p50)}` : '';
      return `${num(m.rps)} (${(m.rps / c.floor.rps).toFixed(2)}×) / ${ms(m.p99)}${alone}`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Puts a block between its markers in docs/performance.md (`results`, or
 * `osticket` and `growth`), keeping the notes around it.
 */
export function writeReport(file: string, table: string, name = 'results'): void {
  const START = `<!-- bench:${name}:start -->`;
  const END = `<!-- bench:${name}:end -->`;
  const block = `${START}\n${table}\n${END}`;
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = existing.indexOf(START);
  const end = existing.indexOf(END);
  const next =
    at >= 0 && end > at
      ? existing.slice(0, at) + block + existing.slice(end + END.length)
      : `${existing || '# Performance\n'}\n${block}\n`;
  writeFileSync(file, next);
}
