import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from './random.js';
import type { SignedIn } from './session.js';
import { FIRST_NAMES, LAST_NAMES, ticketTitle } from './words.js';

/**
 * `--soak`: what a scanner does for a few minutes (every list filter, searches
 * with odd characters, the staff picker and the audit filters with made-up
 * values, failed sign-ins under endless usernames), to show whether the
 * server's memory levels off or keeps growing. Prints resident and peak memory
 * at the start and the end.
 */
export interface Memory {
  rssBytes: number;
  peakBytes: number;
}

/** Resident and peak memory of a live process (VmRSS, VmHWM), or null off Linux. */
export function memoryOf(pid: number): Memory | null {
  try {
    const status = readFileSync(join('/proc', String(pid), 'status'), 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kb('VmRSS');
    const peak = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(peak)
      ? { rssBytes: rss * 1024, peakBytes: peak * 1024 }
      : null;
  } catch {
    return null;
  }
}

const STATUSES = ['open', 'any', 'new', 'in_progress', 'waiting', 'complete'];
const PRIORITIES = ['', 'none', 'low', 'medium', 'high', 'crisis'];
const DUE = ['', 'overdue', 'today', 'week', 'none'];
const SORTS = ['updated', 'due', 'priority', 'created'];
const ODD = [
  '\u0000',
  '"',
  '*',
  '(',
  ')',
  ':',
  '^',
  '%',
  '\\',
  "'",
  '\t',
  '\u3000',
  ' OR ',
  ' NEAR ',
];

/** One request a scanner might send, as a path (GET) or a sign-in form (POST). */
function nextRequest(random: Random): { path: string } | { signIn: string } {
  const words = () =>
    Array.from({ length: random.int(1, 4) }, () => {
      const word = random.pick(ticketTitle(random).split(' '));
      return random.chance(0.3) ? `${word.slice(0, random.int(1, 6))}${random.pick(ODD)}` : word;
    }).join(' ');
  const q = (value: string) => encodeURIComponent(value);
  switch (random.int(0, 6)) {
    case 0:
    case 1: {
      const params = new URLSearchParams({
        status: random.pick(STATUSES),
        priority: random.pick(PRIORITIES),
        due: random.pick(DUE),
        sort: random.pick(SORTS),
        page: String(random.int(1, 40)),
      });
      if (random.chance(0.7)) params.set('q', words());
      return { path: `${random.chance(0.5) ? '/' : '/tickets'}?${params}` };
    }
    case 2:
      return {
        path: `/staff-picker/options?assignee_q=${q(random.pick(LAST_NAMES).slice(0, random.int(1, 5)) + random.pick(ODD))}`,
      };
    case 3:
      return {
        path: `/staff?status=all&q=${q(random.pick(FIRST_NAMES).slice(0, random.int(1, 5)))}`,
      };
    case 4:
      return {
        path: `/audit?action=${q(random.pick(['sign-in', 'sign-in-failed', 'ticket-viewed', words()]))}&ticket=${random.int(1, 999_999)}&from=2026-0${random.int(1, 9)}-1${random.int(0, 9)}`,
      };
    default:
      // A made-up username every time: the throttle's maps must not grow without end.
      return { signIn: `scan-${random.int(0, 1e9).toString(36)}` };
  }
}

export async function runSoak(options: {
  url: string;
  pid: number;
  admin: SignedIn;
  seconds: number;
  connections: number;
  log: (line: string) => void;
}): Promise<{ start: Memory | null; end: Memory | null; requests: number; errors: number }> {
  const { url, admin, log } = options;
  const mb = (m: Memory | null) =>
    m
      ? `${(m.rssBytes / 2 ** 20).toFixed(0)} MB resident, peak ${(m.peakBytes / 2 ** 20).toFixed(0)} MB`
      : 'unknown';
  const start = memoryOf(options.pid);
  log(`Soak start: ${mb(start)}`);
  const until = Date.now() + options.seconds * 1000;
  let requests = 0;
  let errors = 0;
  let nextReport = Date.now() + 30_000;
  const worker = async (seed: number) => {
    const random = new Random(seed);
    while (Date.now() < until) {
      const request = nextRequest(random);
      const response =
        'path' in request
          ? await fetch(`${url}${request.path}`, {
              headers: { cookie: admin.cookie },
              redirect: 'manual',
            })
          : await fetch(`${url}/sign-in`, {
              method: 'POST',
              redirect: 'manual',
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'x-csrf-token': admin.csrf,
                cookie: admin.cookie,
              },
              body: new URLSearchParams({
                username: request.signIn,
                password: 'not the password',
              }).toString(),
            });
      await response.arrayBuffer();
      requests++;
      if (response.status >= 500) errors++;
      if (Date.now() >= nextReport) {
        nextReport = Date.now() + 30_000;
        log(`  ${requests.toLocaleString('en-US')} requests: ${mb(memoryOf(options.pid))}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, i) => worker(1000 + i)));
  const end = memoryOf(options.pid);
  log(
    `Soak end after ${requests.toLocaleString('en-US')} requests (${errors} answered 5xx): ${mb(end)}`,
  );
  return { start, end, requests, errors };
}
