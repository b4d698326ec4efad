import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../bench/measure.js';
import { missedTargets, renderGrowth, renderReport } from '../../bench/report.js';
import { SCENARIOS } from '../../bench/scenarios.js';

const m = (rps: number, p99: number): Measurement => ({
  rps,
  p50: p99 / 4,
  p99,
  requests: rps * 10,
  failures: 0,
});
const scenario = (key: string) => {
  const found = SCENARIOS.find((s) => s.key === key);
  if (!found) throw new Error(key);
  return found;
};

function report(home: Measurement, create: Measurement, startupMs = 700, rssMb = 200) {
  return {
    date: '2026-11-30 16:00 UTC',
    machine: {
      cpus: 2,
      cpuModel: 'test',
      memoryGb: 8,
      node: 'v20',
      loadBefore: [1, 1, 1],
      loadByRun: [1],
    },
    data: { tickets: 1000, staff: 50, searchStaff: 0, seedSeconds: 1 },
    settings: { runs: 1, duration: 2, connections: 20 },
    floor: m(4000, 10),
    floorSingle: m(900, 2),
    results: [
      { scenario: scenario('home'), measurement: home, single: m(300, 4) },
      { scenario: scenario('create'), measurement: create, single: m(200, 6) },
      { scenario: scenario('healthz'), measurement: m(10, 900), single: null },
    ],
    startupMs,
    peakRssBytes: rssMb * 1024 * 1024,
    preliminary: false,
  };
}

describe('bench --check', () => {
  it('names each missed target and nothing else', () => {
    const misses = missedTargets(report(m(1000, 80), m(1200, 30), 1200, 300));
    expect(misses).toEqual([
      'My tickets: 0.25× floor, 50% short; p99 80 ms, 60% over',
      'start-up: 1,200 ms (≤ 1,000 ms)',
      'peak memory: 300 MB (≤ 250 MB)',
    ]);
  });

  it('finds nothing to name when every target is met (a scenario without one never counts)', () => {
    expect(missedTargets(report(m(2500, 40), m(1500, 30)))).toEqual([]);
  });

  it('calls a scenario that got no answers missed, never met', () => {
    const none: Measurement = {
      rps: 0,
      p50: Number.NaN,
      p99: Number.NaN,
      requests: 0,
      failures: 20,
    };
    const allFailed: Measurement = { rps: 5, p50: 9, p99: 12, requests: 50, failures: 50 };
    expect(missedTargets(report(none, m(1500, 30)))).toEqual(['My tickets: no answers']);
    expect(missedTargets(report(m(2500, 40), allFailed))).toEqual(['Create a ticket: no answers']);
    expect(renderReport(report(none, m(1500, 30)))).toMatch(
      /\| My tickets \|.*\*\*missed\*\*: no answers/,
    );
  });

  it('reports single-request latency beside the loaded figures', () => {
    const table = renderReport(report(m(2500, 40), m(1500, 30)));
    expect(table).toContain('| alone p50 ms | alone p99 ms |');
    expect(table).toMatch(
      /\| My tickets \| GET \/ \| staff \| 2,500 \| 10 \| 40 \| 0\.63× \| 1\.0 \| 4\.0 \|/,
    );
  });
});

describe('the growth table', () => {
  it('puts each size in a column, each scenario against its own floor', () => {
    const text = renderGrowth(
      [
        {
          tickets: 10_000,
          floor: m(4000, 10),
          results: [{ scenario: scenario('home'), measurement: m(2000, 20) }],
        },
        {
          tickets: 1_000_000,
          floor: m(2000, 10),
          results: [{ scenario: scenario('home'), measurement: m(1000, 30) }],
        },
      ],
      'now',
    );
    expect(text).toContain('| Scenario | 10,000 tickets | 1,000,000 tickets |');
    expect(text).toContain('| My tickets | 2,000 (0.50×) / 20 | 1,000 (0.50×) / 30 |');
  });
});
