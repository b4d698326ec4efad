import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, plainHttpWarning } from '../src/config.js';

describe('loadConfig', () => {
  it('keeps SQLite unless DATABASE_URL names a PostgreSQL database', () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    const tcp = 'postgresql://hushdesk:s3cret@db.internal:5432/hushdesk?sslmode=require';
    expect(loadConfig({ DATABASE_URL: tcp }).databaseUrl).toBe(tcp);
    const socket = 'postgres://hushdesk@/hushdesk?host=/run/postgresql';
    expect(loadConfig({ DATABASE_URL: socket }).databaseUrl).toBe(socket);
  });

  it('never repeats the password of a bad DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@db/x' })).toThrowError(
      /^(?!.*hunter2)/,
    );
  });

  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.dataDir).toMatch(/data$/);
    expect(config.smtpUrl).toBeNull();
    expect(config.sessionIdleMinutes).toBe(15);
    expect(config.sessionMaxHours).toBe(12);
    expect(config.trustProxy).toBe(false);
    expect(config.secureCookies).toBe(false);
  });

  it('marks cookies secure when BASE_URL is https', () => {
    const config = loadConfig({ BASE_URL: 'https://help.agency.org/' });
    expect(config.secureCookies).toBe(true);
    expect(config.baseUrl).toBe('https://help.agency.org');
  });

  it.each([
    ['PORT', 'eighty', /PORT: accepts a whole number from 0 to 65535/],
    ['PORT', '70000', /PORT/],
    ['SESSION_IDLE_MINUTES', '0', /SESSION_IDLE_MINUTES: accepts a whole number from 1/],
    ['SESSION_MAX_HOURS', '1.5', /SESSION_MAX_HOURS/],
    ['TRUST_PROXY', 'maybe', /TRUST_PROXY: accepts on or off/],
    ['BASE_URL', 'ftp://x', /BASE_URL: accepts a URL starting with http or https/],
    ['SMTP_URL', 'http://mail', /SMTP_URL: accepts a URL starting with smtp or smtps/],
    ['SMTP_URL', 'smtp://u:p@mail?ignoreTLS=true', /SMTP_URL: accepts .* no \?options/],
    ['TZ', 'Mars/Olympus', /TZ: accepts an IANA time zone/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['BACKUP_KEEP', 'lots', /BACKUP_KEEP: accepts a whole number from 0 to 1000/],
    ['DATABASE_URL', 'mysql://db/hushdesk', /DATABASE_URL: accepts a URL starting with postgres/],
    ['DATABASE_URL', 'postgres://db.internal:5432', /DATABASE_URL: needs a database name/],
    ['DATABASE_URL', 'postgres://[bad', /DATABASE_URL: accepts a URL/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrowError(message);
  });
});

describe('plainHttpWarning', () => {
  const warn = (env: Record<string, string>) =>
    plainHttpWarning(loadConfig({ DATA_DIR: '/tmp/x', ...env }));

  it('warns in one line when BASE_URL is http and HOST is reachable from elsewhere', () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::', 'help.agency.org']) {
      const line = warn({ HOST: host, BASE_URL: 'http://help.agency.org' });
      expect(line, host).toMatch(/^hushdesk warning: BASE_URL is http:\/\/ but HOST .+ https/);
      expect(line).not.toContain('\n');
    }
  });

  it('stays quiet on loopback, or with an https BASE_URL', () => {
    for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '::1', '[::1]']) {
      expect(warn({ HOST: host, BASE_URL: 'http://localhost:3000' }), host).toBeNull();
    }
    expect(warn({ HOST: '0.0.0.0', BASE_URL: 'https://help.agency.org' })).toBeNull();
  });
});

describe('single sign-on variables', () => {
  const sso = {
    SSO_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0',
    SSO_CLIENT_ID: 'client',
    SSO_CLIENT_SECRET: 'secret-value',
  };

  it('reads the provider, with defaults for the rest', () => {
    const config = loadConfig({ ...sso, SSO_NAME: 'Microsoft' });
    expect(config.sso).toMatchObject({
      name: 'Microsoft',
      issuer: 'https://login.microsoftonline.com/tenant-id/v2.0',
      clientId: 'client',
      required: false,
      createDomain: null,
      createRole: 'staff',
    });
    expect(loadConfig({}).sso).toBeNull();
  });

  it.each([
    [
      { SSO_ISSUER: 'http://idp.example.org' },
      /SSO_ISSUER: Enter the issuer URL, starting with https/,
    ],
    [{ SSO_ISSUER: 'http://127.0.0.1:8080' }, /SSO_ISSUER: .*SSO_ALLOW_HTTP_LOOPBACK=on/],
    [{ SSO_CLIENT_ID: '' }, /SSO_CLIENT_ID: is needed/],
    [{ SSO_CLIENT_SECRET: '' }, /SSO_CLIENT_SECRET: is needed/],
    [{ SSO_REQUIRED: 'on' }, /SSO_BREAK_GLASS: needs the username/],
    [{ SSO_CREATE_DOMAIN: 'not a domain' }, /SSO_CREATE_DOMAIN: accepts an email domain/],
  ])('refuses %o naming the variable, never repeating the secret', (change, message) => {
    expect(() => loadConfig({ ...sso, ...change })).toThrowError(message);
    try {
      loadConfig({ ...sso, ...change });
    } catch (error) {
      expect(String(error)).not.toContain('secret-value');
    }
  });

  it('accepts an http provider on this machine only with SSO_ALLOW_HTTP_LOOPBACK', () => {
    const config = loadConfig({
      ...sso,
      SSO_ISSUER: 'http://127.0.0.1:8080',
      SSO_ALLOW_HTTP_LOOPBACK: 'on',
    });
    expect(config.sso?.issuer).toBe('http://127.0.0.1:8080');
    expect(() =>
      loadConfig({ ...sso, SSO_ISSUER: 'http://idp.example.org', SSO_ALLOW_HTTP_LOOPBACK: 'on' }),
    ).toThrowError(/SSO_ISSUER/);
  });
});
