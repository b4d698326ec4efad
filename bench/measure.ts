import autocannon from 'autocannon';
import type { SignedIn } from './session.js';

export interface Load {
  url: string;
  method: 'GET' | 'POST';
  /** May hold `:id`, replaced from `ids` in turn. */
  path: string;
  ids: number[];
  client: SignedIn | null;
  form?: (n: number) => Record<string, string>;
  headers?: Record<string, string>;
  /** Sent alongside the load at a steady pace, outside its figures (e.g. ticket changes). */
  alongside?: { load: Load; perSecond: number };
}

export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Answers that were not what the scenario expects, plus connection errors. */
  failures: number;
}

/** The request for the n-th call: its path with a ticket number, its form with the CSRF token. */
export function requestFor(
  load: Load,
  n: number,
): { path: string; body?: string; headers: Record<string, string> } {
  const id = load.ids.length ? load.ids[n % load.ids.length] : undefined;
  const path = id === undefined ? load.path : load.path.replace(':id', String(id));
  const headers: Record<string, string> = { ...(load.headers ?? {}) };
  if (load.client) headers.cookie = load.client.cookie;
  if (!load.form) return { path, headers };
  headers['content-type'] = 'application/x-www-form-urlencoded';
  const body = new URLSearchParams({ ...load.form(n), _csrf: load.client?.csrf ?? '' }).toString();
  return { path, body, headers };
}

/** The n-th request of `load`, sent on its own (outside autocannon); resolves to its status. */
async function sendOne(load: Load, n: number): Promise<number> {
  const request = requestFor(load, n);
  const response = await fetch(load.url + request.path, {
    method: load.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

/** One request outside the load, to see whether the route exists and answers as it should. */
export function probe(load: Load): Promise<number> {
  return sendOne(load, 0);
}

/**
 * One autocannon run. A GET must answer 200 (a 303 would mean the session was
 * lost); a POST may answer 2xx or a 303 redirect.
 */
export async function measure(
  load: Load,
  connections: number,
  seconds: number,
): Promise<Measurement> {
  let n = 1;
  // autocannon's own histogram keeps whole milliseconds; a 10 ms target needs finer.
  const latencies: number[] = [];
  const alongside = load.alongside
    ? sendAlongside(load.alongside.load, load.alongside.perSecond)
    : null;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        connections,
        duration: seconds,
        requests: [
          {
            method: load.method,
            setupRequest: (request) => ({ ...request, ...requestFor(load, n++) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const alongsideFailures = alongside ? await alongside.stop() : 0;
  latencies.sort((a, b) => a - b);
  const ok = load.method === 'GET' ? result['2xx'] : result['2xx'] + result['3xx'];
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    rps: result.requests.average,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    requests: total,
    failures: total - ok + result.errors + alongsideFailures,
  };
}

/**
 * Sends `load`'s requests at `perSecond` until stopped; `stop` waits for those
 * in flight and returns how many did not answer as a change should (2xx or 3xx).
 */
function sendAlongside(load: Load, perSecond: number): { stop(): Promise<number> } {
  let n = 0;
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const send = async () => {
    try {
      const status = await sendOne(load, n++);
      if (status < 200 || status >= 400) failures++;
    } catch {
      failures++;
    }
  };
  const timer = setInterval(() => {
    const sending = send().finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }, 1000 / perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return failures;
    },
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median of each figure over the runs (each figure on its own). */
export function medianOf(runs: Measurement[]): Measurement {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
  };
}
