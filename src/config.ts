import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { checkIssuerUrl } from './auth/oidc/issuer.js';
import { PhiKey } from './crypto/phi.js';

/** Everything hushdesk reads from its environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** From DATABASE_URL: a PostgreSQL store; null keeps the SQLite file DATA_DIR/hushdesk.db. */
  databaseUrl: string | null;
  baseUrl: string;
  /** True when BASE_URL is https: cookies get the __Host- prefix and Secure. */
  secureCookies: boolean;
  smtpUrl: string | null;
  smtpFrom: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  trustProxy: boolean;
  timeZone: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** From HUSHDESK_KEY; null means DATA_DIR/hushdesk.key (src/crypto/key.ts). */
  phiKey: PhiKey | null;
  /** Automatic nightly backups kept in DATA_DIR/backups; 0 turns them off. */
  backupKeep: number;
  /** The time of day (agency time zone) the nightly backup is taken. */
  backupAt: { hour: number; minute: number };
  /** Delivered outbox rows are deleted this many days after they went out. */
  outboxRetentionDays: number;
  /**
   * How long a message one process has claimed stays its own: if that process dies
   * while sending, another takes the message over when this ends.
   */
  outboxLeaseSeconds: number;
  /** A bearer token that opens GET /metrics from beyond loopback; null keeps it loopback-only. */
  metricsToken: string | null;
  /** Single sign-on set by SSO_* variables (automated installs); null leaves it to Settings. */
  sso: SsoEnvironment | null;
  /** SSO_ALLOW_HTTP_LOOPBACK: accept an http:// provider on this machine (tests, trials). */
  ssoAllowHttpLoopback: boolean;
}

/** The single sign-on provider as the environment sets it; Settings then shows it read-only. */
export interface SsoEnvironment {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  required: boolean;
  /** Username of the one administrator who may still use a password when SSO is required. */
  breakGlassUsername: string | null;
  createDomain: string | null;
  /** A role's key or name for accounts made by domain; the Staff role when unset. */
  createRole: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly accepts: string,
  ) {
    super(`${variable}: ${accepts}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `accepts a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return false;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `accepts on or off (true/false, 1/0), got "${raw}"`);
}

function url(name: string, raw: string, protocols: string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `accepts a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(parsed.protocol.replace(':', ''))) {
    throw new ConfigError(name, `accepts a URL starting with ${protocols.join(' or ')}`);
  }
  return parsed;
}

function timeZone(env: Env): string {
  const raw = env.TZ?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError('TZ', `accepts an IANA time zone such as America/Chicago, got "${raw}"`);
  }
  return raw;
}

function phiKey(env: Env): PhiKey | null {
  const raw = env.HUSHDESK_KEY?.trim();
  if (!raw) return null;
  const key = PhiKey.fromBase64(raw);
  // The message never repeats the value: it is a secret.
  if (!key)
    throw new ConfigError('HUSHDESK_KEY', 'accepts 32 random bytes in base64 (44 characters)');
  return key;
}

function timeOfDay(env: Env, name: string, fallback: string): { hour: number; minute: number } {
  const raw = env[name]?.trim() || fallback;
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(raw);
  if (!m) throw new ConfigError(name, `accepts a time of day as HH:MM (24-hour), got "${raw}"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

function metricsToken(env: Env): string | null {
  const raw = env.METRICS_TOKEN?.trim();
  if (!raw) return null;
  // The message never repeats the value: it is a secret.
  if (raw.length < 32 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(
      'METRICS_TOKEN',
      'accepts 32 or more printable characters without spaces (e.g. openssl rand -hex 32)',
    );
  }
  return raw;
}

/**
 * DATABASE_URL as `pg` takes it (sslmode and the other TLS options in the
 * query string). Checked for shape here; whether the server answers is
 * checked when the store is opened.
 */
function databaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return null;
  // `pg` also takes a Unix socket as postgres://user@/db?host=/run/postgresql, which
  // WHATWG URLs refuse (credentials without a host): check it with a stand-in host.
  const parsed = url('DATABASE_URL', raw.replace(/^([a-z]+:\/\/[^/?#]*@)(?=\/)/i, '$1localhost'), [
    'postgres',
    'postgresql',
  ]);
  const database = parsed.pathname.replace(/^\//, '');
  if (!database) {
    throw new ConfigError(
      'DATABASE_URL',
      'needs a database name: postgres://user:password@host:5432/hushdesk',
    );
  }
  return raw;
}

/** Email domains as people type them after the @: agency.org, mail.agency.org. */
export const EMAIL_DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function ssoEnvironment(env: Env, allowHttpLoopback: boolean): SsoEnvironment | null {
  const issuer = env.SSO_ISSUER?.trim();
  if (!issuer) return null;
  const checked = checkIssuerUrl(issuer, allowHttpLoopback);
  if (!checked.ok) throw new ConfigError('SSO_ISSUER', checked.error);
  const clientId = env.SSO_CLIENT_ID?.trim();
  if (!clientId) throw new ConfigError('SSO_CLIENT_ID', 'is needed with SSO_ISSUER');
  const clientSecret = env.SSO_CLIENT_SECRET?.trim();
  // The message never repeats the value: it is a secret.
  if (!clientSecret) throw new ConfigError('SSO_CLIENT_SECRET', 'is needed with SSO_ISSUER');
  const required = flag(env, 'SSO_REQUIRED');
  const breakGlassUsername = env.SSO_BREAK_GLASS?.trim() || null;
  if (required && !breakGlassUsername) {
    throw new ConfigError(
      'SSO_BREAK_GLASS',
      'needs the username of an administrator with SSO_REQUIRED',
    );
  }
  const createDomain = env.SSO_CREATE_DOMAIN?.trim().toLowerCase() || null;
  if (createDomain && !EMAIL_DOMAIN.test(createDomain)) {
    throw new ConfigError(
      'SSO_CREATE_DOMAIN',
      `accepts an email domain such as agency.org, got "${createDomain}"`,
    );
  }
  return {
    name: env.SSO_NAME?.trim() || 'single sign-on',
    issuer: checked.url.href.replace(/\/$/, ''),
    clientId,
    clientSecret,
    required,
    breakGlassUsername,
    createDomain,
    createRole: env.SSO_CREATE_ROLE?.trim() || 'staff',
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  const base = url('BASE_URL', env.BASE_URL?.trim() || `http://localhost:${port}`, [
    'http',
    'https',
  ]);
  const smtpRaw = env.SMTP_URL?.trim() || '';
  if (smtpRaw && url('SMTP_URL', smtpRaw, ['smtp', 'smtps']).search) {
    // Options in the URL (?ignoreTLS=true) could turn off the TLS we require.
    throw new ConfigError(
      'SMTP_URL',
      'accepts smtp://user:pass@host:port or smtps://…, no ?options',
    );
  }
  const smtpFrom = env.SMTP_FROM?.trim() || `hushdesk <hushdesk@${base.hostname}>`;
  if (!/^[^\r\n]*@[^\r\n]+$/.test(smtpFrom)) {
    throw new ConfigError('SMTP_FROM', 'accepts an address such as "Help desk <help@agency.org>"');
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `accepts one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    port,
    host,
    dataDir,
    databaseUrl: databaseUrl(env),
    baseUrl: base.origin + base.pathname.replace(/\/$/, ''),
    secureCookies: base.protocol === 'https:',
    smtpUrl: smtpRaw || null,
    smtpFrom,
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 15, 1, 1440),
    sessionMaxHours: integer(env, 'SESSION_MAX_HOURS', 12, 1, 168),
    trustProxy: flag(env, 'TRUST_PROXY'),
    timeZone: timeZone(env),
    logLevel,
    phiKey: phiKey(env),
    backupKeep: integer(env, 'BACKUP_KEEP', 0, 0, 1000),
    sso: ssoEnvironment(env, flag(env, 'SSO_ALLOW_HTTP_LOOPBACK')),
    ssoAllowHttpLoopback: flag(env, 'SSO_ALLOW_HTTP_LOOPBACK'),
    backupAt: timeOfDay(env, 'BACKUP_AT', '02:00'),
    outboxRetentionDays: integer(env, 'OUTBOX_RETENTION_DAYS', 90, 1, 3650),
    outboxLeaseSeconds: integer(env, 'OUTBOX_LEASE_SECONDS', 600, 5, 86_400),
    metricsToken: metricsToken(env),
  };
}

/**
 * The environment with a `.env` file from the working directory underneath it:
 * variables already set in the environment win over the file.
 */
export function environmentWithDotEnv(cwd = process.cwd()): Env {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

/** Addresses only this machine can reach. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The one line start-up prints when PHI would cross the network in clear: an
 * http BASE_URL (so no Secure cookies, no HSTS) on an address others can reach.
 */
export function plainHttpWarning(config: Pick<Config, 'baseUrl' | 'host'>): string | null {
  if (!config.baseUrl.startsWith('http:') || isLoopback(config.host)) return null;
  return `hushdesk warning: BASE_URL is http:// but HOST ${config.host} is reachable from other machines; serve it over https (see "Behind a TLS reverse proxy" in the README), or cookies and PHI cross the network unencrypted.`;
}
