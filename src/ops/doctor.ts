import { copyFileSync, existsSync, mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { keyFilePath, readKeyFile } from '../crypto/key.js';
import { BackupError, checkDatabaseFile } from '../db/backup.js';
import { type Db, databaseFile } from '../db/index.js';
import { envelopeAddress, transportOptions } from '../mail/mailer.js';
import {
  findNewestRecordedTime,
  getKeyCopyConfirmation,
  getRequestsSeen,
} from '../repositories/ops.js';
import { countDeadOutboxMessages } from '../repositories/outbox.js';
import { newestBackup } from './backups.js';
import { probeSmtp, SmtpProbeError } from './smtp-probe.js';
import { readMigrationState } from './upgrade.js';

/**
 * `hushdesk doctor` and Settings → System: each check says what it found and,
 * when something needs doing, what to do. Nothing here changes anything, and
 * nothing it reports holds a secret or PHI.
 */

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

const GIB = 1024 ** 3;
const HOUR = 3_600_000;
/** A nightly backup older than this missed a night. */
const BACKUP_MAX_AGE_HOURS = 26;
const LOOPBACK_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

const ok = (name: string, detail: string): Check => ({ name, verdict: 'ok', detail, action: null });
const needs = (verdict: 'warn' | 'fail', name: string, detail: string, action: string): Check => ({
  name,
  verdict,
  detail,
  action,
});

function bytes(n: number): string {
  if (n >= GIB) return `${(n / GIB).toFixed(1)} GB`;
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

function hoursAgo(now: Date, at: Date): string {
  const hours = (now.getTime() - at.getTime()) / HOUR;
  return hours < 1 ? `${Math.round(hours * 60)} minutes ago` : `${hours.toFixed(1)} hours ago`;
}

export function checkConfiguration(config: Config): Check {
  return ok(
    'configuration',
    `listening on ${config.host}:${config.port}, BASE_URL ${config.baseUrl}, DATA_DIR ${config.dataDir}, mail ${config.smtpUrl ? 'through SMTP_URL' : 'kept locally'}, nightly backups ${config.backupKeep > 0 ? `at ${String(config.backupAt.hour).padStart(2, '0')}:${String(config.backupAt.minute).padStart(2, '0')}, ${config.backupKeep} kept` : 'off'}`,
  );
}

export function checkDataDirectory(ctx: DoctorContext): Check {
  const dir = ctx.config.dataDir;
  const name = 'data directory';
  if (!existsSync(dir)) {
    return needs(
      'fail',
      name,
      `${dir} does not exist`,
      'Start hushdesk once (it creates it), or fix DATA_DIR.',
    );
  }
  const stat = statSync(dir);
  const uid = process.getuid?.() ?? stat.uid;
  if (stat.uid !== uid) {
    return needs(
      'fail',
      name,
      `${dir} belongs to uid ${stat.uid}, but hushdesk runs as uid ${uid}`,
      `Give it to the service user: chown -R hushdesk:hushdesk ${dir}`,
    );
  }
  if (stat.mode & 0o077) {
    return needs(
      'warn',
      name,
      `${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)})`,
      `It holds the database, the key and the backups: chmod 700 ${dir}`,
    );
  }
  const db = databaseFile(dir);
  const dbBytes = existsSync(db) ? statSync(db).size : 0;
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const needed = ctx.minFreeBytes ?? Math.max(GIB, 2 * dbBytes);
  if (free < needed) {
    return needs(
      'fail',
      name,
      `${bytes(free)} free where ${dir} is, the database is ${bytes(dbBytes)}`,
      `Free space (at least ${bytes(needed)}: backups need room), or move DATA_DIR to a larger disk.`,
    );
  }
  return ok(name, `${dir}: owned by hushdesk, owner-only, ${bytes(free)} free`);
}

export async function checkKey(ctx: DoctorContext): Promise<Check> {
  const name = 'encryption key';
  let keyId: string;
  if (ctx.config.phiKey) {
    keyId = ctx.config.phiKey.id;
  } else {
    const path = keyFilePath(ctx.config.dataDir);
    if (!existsSync(path)) {
      return needs(
        'warn',
        name,
        `no key at ${path} yet`,
        'hushdesk makes it at its first start; then copy it somewhere safe, apart from the backups.',
      );
    }
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      return needs(
        'fail',
        name,
        `${path} can be read by other users (mode ${mode.toString(8)})`,
        `chmod 600 ${path}`,
      );
    }
    const key = readKeyFile(path);
    if (!key) {
      return needs(
        'fail',
        name,
        `${path} does not hold a key`,
        'Put the saved key file back in its place.',
      );
    }
    keyId = key.id;
  }
  const confirmed = ctx.db ? await getKeyCopyConfirmation(ctx.db) : null;
  if (!confirmed || confirmed.keyId !== keyId) {
    return needs(
      'warn',
      name,
      confirmed
        ? `key ${keyId} is in use, but the copy confirmed on ${confirmed.at.slice(0, 10)} was of key ${confirmed.keyId}`
        : `key ${keyId}: nobody has confirmed keeping a copy of it`,
      'Copy the key file (or HUSHDESK_KEY) to a password manager or a locked drawer, apart from the backups, then run `hushdesk key-saved` or press "I have saved a copy" on Settings → System.',
    );
  }
  return ok(
    name,
    `key ${keyId}, owner-only; a copy was confirmed on ${confirmed.at.slice(0, 10)} by ${confirmed.by}`,
  );
}

export function checkBackups(ctx: DoctorContext): Check {
  const name = 'backups';
  const newest = newestBackup(ctx.config.dataDir);
  const schedule = 'Set BACKUP_KEEP (e.g. 14) for nightly backups, or run `hushdesk backup FILE`.';
  if (!newest) {
    return needs('fail', name, `no backup in ${join(ctx.config.dataDir, 'backups')}`, schedule);
  }
  const age = ctx.now.getTime() - newest.at.getTime();
  const work = mkdtempSync(join(tmpdir(), 'hushdesk-doctor-'));
  try {
    // Checked on a copy: the check must never touch the backup itself.
    const copy = join(work, 'restore-check.db');
    copyFileSync(newest.file, copy);
    checkDatabaseFile(copy);
  } catch (error) {
    const reason = error instanceof BackupError ? error.message : (error as Error).message;
    return needs(
      'fail',
      name,
      `the newest backup ${newest.file} would not restore: ${reason}`,
      'Take a new backup now (`hushdesk backup FILE`) and find out what damaged this one (disk errors?).',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (age > BACKUP_MAX_AGE_HOURS * HOUR) {
    return needs(
      'fail',
      name,
      `the newest backup, ${newest.file}, was taken ${hoursAgo(ctx.now, newest.at)}`,
      ctx.config.backupKeep > 0
        ? 'Nightly backups have stopped: look in the log for "housekeeping failed", and check free space.'
        : schedule,
    );
  }
  return ok(
    name,
    `${newest.file}, taken ${hoursAgo(ctx.now, newest.at)}, restores (integrity check on a copy)`,
  );
}

export async function checkSmtp(ctx: DoctorContext): Promise<Check> {
  const name = 'mail server';
  if (!ctx.config.smtpUrl) {
    return needs(
      'warn',
      name,
      'SMTP_URL is not set: notifications are kept in the outbox, nobody is emailed',
      'Set SMTP_URL and SMTP_FROM (see the README, "Email notifications").',
    );
  }
  const host = new URL(ctx.config.smtpUrl).host;
  const sender = envelopeAddress(ctx.config.smtpFrom);
  try {
    await probeSmtp(
      transportOptions(ctx.config.smtpUrl),
      ctx.config.smtpFrom,
      ctx.smtpTimeoutMs ?? 10_000,
    );
    return ok(
      name,
      `${host} answers, accepts hushdesk's sign-in and the sender ${sender} (nothing was sent)`,
    );
  } catch (error) {
    const step = error instanceof SmtpProbeError ? error.step : '';
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    const action =
      step === 'MAIL FROM'
        ? `The mail server will not send as ${sender}. Set SMTP_FROM to an address the SMTP_URL account may send from (often the account's own address), or allow that sender on the mail server.`
        : step === 'AUTH'
          ? 'Check the user name and password in SMTP_URL (percent-encoded) and that the account may send mail.'
          : 'Check SMTP_URL (host, port, user name and password, percent-encoded) and that this machine may reach the mail server.';
    return needs('fail', name, `${host}: ${reason}`, action);
  }
}

export function checkBaseUrl(config: Config): Check {
  const name = 'BASE_URL';
  const url = new URL(config.baseUrl);
  if (url.protocol === 'https:' || LOOPBACK_HOSTS.test(url.host.replace(/:\d+$/, ''))) {
    return ok(name, config.baseUrl);
  }
  return needs(
    'fail',
    name,
    `${config.baseUrl} is not https: PHI and passwords would cross the network in clear`,
    'Put hushdesk behind a TLS proxy (README, "Install on a server") and set BASE_URL=https://…',
  );
}

export async function checkTrustProxy(ctx: DoctorContext): Promise<Check> {
  const name = 'TRUST_PROXY';
  if (!ctx.db) return ok(name, 'no requests seen yet');
  const seen = await getRequestsSeen(ctx.db);
  const recent = (at: string | null) =>
    at !== null && ctx.now.getTime() - Date.parse(at) < 7 * 24 * HOUR;
  if (ctx.config.trustProxy && recent(seen.directAt)) {
    return needs(
      'fail',
      name,
      `TRUST_PROXY is on, but other machines reached hushdesk directly (last on ${seen.directAt?.slice(0, 16)}): they can forge X-Forwarded-For and pose as any address`,
      'Set HOST=127.0.0.1 so only the proxy on this machine reaches hushdesk, or set TRUST_PROXY=off.',
    );
  }
  if (!ctx.config.trustProxy && recent(seen.forwardedAt)) {
    return needs(
      'warn',
      name,
      `requests come through a proxy (last on ${seen.forwardedAt?.slice(0, 16)}) but TRUST_PROXY is off: the audit log and sign-in throttling see the proxy's address, not the person's`,
      'Set TRUST_PROXY=on (with HOST=127.0.0.1).',
    );
  }
  if (ctx.config.trustProxy && !recent(seen.forwardedAt)) {
    return ok(name, 'on; no request through the proxy seen in the last week yet');
  }
  return ok(
    name,
    ctx.config.trustProxy ? 'on, and requests come through the proxy' : 'off, and no proxy seen',
  );
}

export async function checkClock(ctx: DoctorContext): Promise<Check> {
  const name = 'clock and time zone';
  const local = new Intl.DateTimeFormat('en-US', {
    timeZone: ctx.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(ctx.now);
  const newest = ctx.db ? await findNewestRecordedTime(ctx.db) : null;
  if (newest && Date.parse(newest) > ctx.now.getTime() + 5 * 60_000) {
    return needs(
      'fail',
      name,
      `the clock reads ${ctx.now.toISOString()}, but the database recorded ${newest}: the clock is behind`,
      'Turn on time synchronisation (timedatectl set-ntp true) and check the time.',
    );
  }
  if (!ctx.tzFromEnvironment && ctx.timeZone === ctx.config.timeZone) {
    return needs(
      'warn',
      name,
      `${local} in ${ctx.timeZone}, the server's zone: nobody chose the agency's`,
      "Set TZ (e.g. TZ=America/Chicago) or the time zone in Settings, so due dates and the nightly backup follow the agency's day.",
    );
  }
  return ok(name, `${local} in ${ctx.timeZone}; is that the time on your watch?`);
}

export async function checkOutbox(ctx: DoctorContext): Promise<Check> {
  const name = 'outbox';
  if (!ctx.db) return ok(name, 'empty');
  const dead = await countDeadOutboxMessages(ctx.db);
  if (dead > 0) {
    return needs(
      'fail',
      name,
      `${dead} notification(s) gave up (dead letters)`,
      'Open the Outbox page, read the last error, fix the cause (often SMTP_URL) and press Retry.',
    );
  }
  return ok(name, 'no dead letters');
}

export async function checkMigrations(ctx: DoctorContext): Promise<Check> {
  const name = 'migrations';
  if (!ctx.db) {
    return needs(
      'warn',
      name,
      'there is no database yet',
      'Start hushdesk once: it creates the database.',
    );
  }
  const state = await readMigrationState(ctx.db);
  if (state.unknown.length > 0) {
    return needs(
      'fail',
      name,
      `the database was migrated by a newer release (${state.unknown.join(', ')})`,
      'Run the newer release, or restore the backup taken before the upgrade (README, "Going back to the previous release").',
    );
  }
  if (state.pending.length > 0) {
    return needs(
      'warn',
      name,
      `${state.pending.length} pending: ${state.pending.join(', ')}`,
      'Restart hushdesk (it backs up the database, then migrates), or run `hushdesk migrate`.',
    );
  }
  return ok(name, `up to date (${state.applied.length} applied)`);
}

/** Every check, in the order an operator would fix things. */
export async function runDoctor(ctx: DoctorContext): Promise<Check[]> {
  return [
    checkConfiguration(ctx.config),
    checkDataDirectory(ctx),
    await checkKey(ctx),
    checkBackups(ctx),
    await checkSmtp(ctx),
    checkBaseUrl(ctx.config),
    await checkTrustProxy(ctx),
    await checkClock(ctx),
    await checkOutbox(ctx),
    await checkMigrations(ctx),
  ];
}

/** True when nothing needs action: every line that says what to do counts. */
export function allWell(checks: Check[]): boolean {
  return checks.every((c) => c.action === null);
}

export function formatChecks(checks: Check[]): string {
  const label: Record<Verdict, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };
  return checks
    .map((c) => {
      const line = `${label[c.verdict]}  ${c.name}: ${c.detail}`;
      return c.action ? `${line}\n      -> ${c.action}` : line;
    })
    .join('\n');
}
