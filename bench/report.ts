import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measurement } from './measure.js';
import type { Scenario, Target } from './scenarios.js';

export interface ScenarioResult {
  scenario: Scenario;
  /** Null when the route is not on this build (or answered something else), with why. */
  measurement: Measurement | null;
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
  results: ScenarioResult[];
  startupMs: number;
  peakRssBytes: number | null;
  preliminary: boolean;
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
  if (!target.floorRatio && !target.rps && !target.p99Ms) return '—';
  return misses.length ? `**missed**: ${misses.join('; ')}` : 'met';
}

export function renderReport(report: Report): string {
  const { machine, data, settings, floor } = report;
  const lines = [
    `Measured ${report.date}${report.preliminary ? ' — **preliminary**: most ticket routes are not on this build yet' : ''}.`,
    '',
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb.toFixed(0)} GB memory, Node ${machine.node}; load average before the run ${machine.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, as each measured round began ${machine.loadByRun.map((l) => l.toFixed(2)).join(', ')} (other people's work shares these cores).`,
    `Data: ${num(data.tickets)} tickets, ${num(data.staff)} staff (quick search: ${num(data.searchStaff)} staff); seeding took ${data.seedSeconds} s.`,
    `Load: autocannon, ${settings.connections} connections, ${settings.duration} s per run, median of ${settings.runs} runs (each figure on its own).`,
    '',
    '| Scenario | Request | As | req/s | p50 ms | p99 ms | vs floor | Target | Result |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
    `| Floor (bare Fastify + Eta + better-sqlite3, 50 rows) | GET / | — | ${num(floor.rps)} | ${ms(floor.p50)} | ${ms(floor.p99)} | 1.00× | — | — |`,
  ];
  for (const { scenario: s, measurement: m, unavailable } of report.results) {
    const request = `${s.method} ${s.path}`.replaceAll('|', '\\|');
    const as = s.as === 'none' ? '—' : s.as;
    if (!m) {
      lines.push(
        `| ${s.label} | ${request} | ${as} | | | | | ${targetText(s.target)} | ${unavailable} |`,
      );
      continue;
    }
    let result = verdict(s.target, m, floor);
    if (m.failures) result += ` (${num(m.failures)} of ${num(m.requests)} answers unexpected)`;
    if (s.note) result += ` (${s.note})`;
    lines.push(
      `| ${s.label} | ${request} | ${as} | ${num(m.rps)} | ${ms(m.p50)} | ${ms(m.p99)} | ${(m.rps / floor.rps).toFixed(2)}× | ${targetText(s.target)} | ${result} |`,
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

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Puts the table between the markers in docs/performance.md, keeping the notes around it. */
export function writeReport(file: string, table: string): void {
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
