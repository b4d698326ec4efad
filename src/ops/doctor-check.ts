import type { Config } from '../config.js';
import type { Db } from '../db/index.js';

/** One line of `hushdesk doctor` and Settings → System, and the helpers that word it. */

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  /** What to do; null when nothing needs doing. */
  action: string | null;
}

export interface DoctorContext {
  config: Config;
  /** The store; null when there is no database file yet. */
  db: Db | null;
  now: Date;
  /** The agency's time zone (Settings, else TZ). */
  timeZone: string;
  /** TZ as given in the environment, to tell a chosen zone from the server's default. */
  tzFromEnvironment: boolean;
  /** Free space below this fails (default 1 GiB, or twice the database, whichever is more). */
  minFreeBytes?: number;
  smtpTimeoutMs?: number;
}

export const GIB = 1024 ** 3;
export const HOUR = 3_600_000;
/** A nightly backup older than this missed a night. */
export const BACKUP_MAX_AGE_HOURS = 26;
export const LOOPBACK_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export const ok = (name: string, detail: string): Check => ({
  name,
  verdict: 'ok',
  detail,
  action: null,
});
export const needs = (
  verdict: 'warn' | 'fail',
  name: string,
  detail: string,
  action: string,
): Check => ({
  name,
  verdict,
  detail,
  action,
});

export function bytes(n: number): string {
  if (n >= GIB) return `${(n / GIB).toFixed(1)} GB`;
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

export function hoursAgo(now: Date, at: Date): string {
  const hours = (now.getTime() - at.getTime()) / HOUR;
  return hours < 1 ? `${Math.round(hours * 60)} minutes ago` : `${hours.toFixed(1)} hours ago`;
}

const RANK: Record<Verdict, number> = { fail: 0, warn: 1, ok: 2 };

/** Settings → System's view of the checks: what needs doing first, with counts and a tone. */
export function summarizeChecks(checks: readonly Check[]) {
  const counts: Record<Verdict, number> = { fail: 0, warn: 0, ok: 0 };
  for (const check of checks) counts[check.verdict] += 1;
  let tone: 'error' | 'warn' | 'success' = 'success';
  if (counts.fail > 0) tone = 'error';
  else if (counts.warn > 0) tone = 'warn';
  return {
    checks: [...checks].sort((a, b) => RANK[a.verdict] - RANK[b.verdict]),
    counts,
    tone,
  };
}
