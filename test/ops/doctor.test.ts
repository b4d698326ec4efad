import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { keyFilePath } from '../../src/crypto/key.js';
import { backupDatabase } from '../../src/db/backup.js';
import { transportOptions } from '../../src/mail/mailer.js';
import {
  checkBaseUrl,
  checkClock,
  checkMigrations,
  checkOutbox,
  checkSmtp,
  checkTrustProxy,
} from '../../src/ops/doctor.js';
import type { DoctorContext } from '../../src/ops/doctor-check.js';
import { runDoctorCommand } from '../../src/ops/doctor-cli.js';
import { probeSmtp } from '../../src/ops/smtp-probe.js';
import { checkBackups, checkDataDirectory, checkKey } from '../../src/ops/storage-checks.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { confirmKeyCopy, saveRequestsSeen } from '../../src/repositories/ops.js';
import { insertOutboxMessage, markOutboxFailed } from '../../src/repositories/outbox.js';
import { createTestApp, createTestAppWith, signIn, type TestApp } from '../helpers/app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { testStore } from '../helpers/store.js';

let t: TestApp;
let smtp: TestSmtpServer | null = null;
afterEach(async () => {
  await smtp?.stop();
  smtp = null;
  await t.close();
});

function context(
  overrides: Partial<Config> = {},
  extra: Partial<DoctorContext> = {},
): DoctorContext {
  return {
    config: { ...t.config, ...overrides },
    db: t.app.db,
    now: new Date(),
    timeZone: 'America/Chicago',
    tzFromEnvironment: true,
    ...extra,
  };
}

describe('hushdesk doctor', () => {
  it('data directory: passes when owner-only with room, fails on wrong owner, open mode or no room', async () => {
    t = await createTestApp();
    chmodSync(t.dataDir, 0o700);
    expect(checkDataDirectory(context())).toMatchObject({ verdict: 'ok', action: null });
    expect(
      checkDataDirectory(context({}, { minFreeBytes: Number.MAX_SAFE_INTEGER })),
    ).toMatchObject({
      verdict: 'fail',
      action: expect.stringContaining('Free space'),
    });
    chmodSync(t.dataDir, 0o755);
    expect(checkDataDirectory(context())).toMatchObject({
      verdict: 'warn',
      action: `It holds the database, the key and the backups: chmod 700 ${t.dataDir}`,
    });
    if (process.getuid?.() === 0) {
      chownSync(t.dataDir, 4242, 4242);
      const wrongOwner = checkDataDirectory(context());
      expect(wrongOwner.verdict).toBe('fail');
      expect(wrongOwner.detail).toContain('belongs to uid 4242');
      chownSync(t.dataDir, 0, 0);
    }
  });

  it('key: passes when owner-only and a copy was confirmed, else says what to do', async () => {
    t = await createTestApp();
    const path = keyFilePath(t.dataDir);
    const unconfirmed = await checkKey(context());
    expect(unconfirmed.verdict).toBe('warn');
    expect(unconfirmed.action).toContain('hushdesk key-saved');
    const keyId = /key (\w+)/.exec(unconfirmed.detail)?.[1] ?? '';
    await confirmKeyCopy(t.app.db, { keyId, at: new Date().toISOString(), by: 'Ann' }, null);
    expect(await checkKey(context())).toMatchObject({ verdict: 'ok', action: null });
    // A confirmation of another key (before a rotation) does not count.
    await confirmKeyCopy(
      t.app.db,
      { keyId: 'somethingelse', at: new Date().toISOString(), by: 'Ann' },
      null,
    );
    expect((await checkKey(context())).verdict).toBe('warn');
    chmodSync(path, 0o644);
    expect(await checkKey(context())).toMatchObject({
      verdict: 'fail',
      action: `chmod 600 ${path}`,
    });
  });

  // SQLite only: backups are of the SQLite file (PostgreSQL: pg_dump).
  it.skipIf(testStore === 'postgres')(
    'backups: passes for a recent one that restores, fails for none, an old one or a damaged one',
    async () => {
      t = await createTestApp();
      expect(checkBackups(context())).toMatchObject({ verdict: 'fail' });
      mkdirSync(join(t.dataDir, 'backups'));
      const file = join(t.dataDir, 'backups', 'hushdesk-20261127T150000Z.db');
      await backupDatabase(t.dataDir, file);
      const good = checkBackups(context());
      expect(good).toMatchObject({ verdict: 'ok', action: null });
      expect(good.detail).toContain('restores');
      const later = new Date(Date.now() + 30 * 3_600_000);
      expect(checkBackups(context({}, { now: later }))).toMatchObject({ verdict: 'fail' });
      writeFileSync(file, 'not a database at all, but long enough to look like one'.repeat(100));
      const damaged = checkBackups(context());
      expect(damaged.verdict).toBe('fail');
      expect(damaged.detail).toContain('would not restore');
    },
  );

  it.runIf(testStore === 'postgres')(
    'backups: on PostgreSQL, says to use pg_dump instead of failing for no backup file',
    async () => {
      t = await createTestApp();
      expect(t.config.databaseUrl).toBeTruthy();
      expect(checkBackups(context())).toMatchObject({
        verdict: 'warn',
        action: expect.stringContaining('pg_dump'),
      });
    },
  );

  it('mail server: passes when the server answers and accepts the sign-in, fails when unreachable', async () => {
    t = await createTestApp();
    expect((await checkSmtp(context())).verdict).toBe('warn'); // no SMTP_URL
    smtp = await TestSmtpServer.start();
    const before = smtp.received.length;
    expect(await checkSmtp(context({ smtpUrl: smtp.url }))).toMatchObject({ verdict: 'ok' });
    expect(smtp.received.length).toBe(before);
    const port = smtp.port;
    await smtp.stop();
    smtp = null;
    const down = await checkSmtp(
      context({ smtpUrl: `smtp://127.0.0.1:${port}` }, { smtpTimeoutMs: 2000 }),
    );
    expect(down.verdict).toBe('fail');
    expect(down.action).toContain('SMTP_URL');
  });

  it('mail server: passes only when the server accepts SMTP_FROM as the sender, and sends nothing', async () => {
    t = await createTestApp();
    const senders: string[] = [];
    smtp = await TestSmtpServer.start({
      onMailFrom: (address, _session, callback) => {
        senders.push(address.address);
        if (address.address === 'help@agency.org') return callback();
        const refusal = new Error('5.7.1 Sender address rejected: not owned by user') as Error & {
          responseCode: number;
        };
        refusal.responseCode = 553;
        callback(refusal);
      },
    });
    const accepted = await checkSmtp(
      context({ smtpUrl: smtp.url, smtpFrom: 'Help desk <help@agency.org>' }),
    );
    expect(accepted).toMatchObject({ verdict: 'ok', action: null });
    expect(accepted.detail).toContain('help@agency.org');
    expect(senders).toEqual(['help@agency.org']);
    expect(smtp.received).toHaveLength(0);

    const refused = await checkSmtp(
      context({ smtpUrl: smtp.url, smtpFrom: 'Help desk <someone@elsewhere.org>' }),
    );
    expect(refused.verdict).toBe('fail');
    expect(refused.detail).toContain('MAIL FROM');
    expect(refused.detail).toContain('553');
    expect(refused.action).toContain('SMTP_FROM');
    expect(refused.action).toContain('someone@elsewhere.org');
    expect(senders).toEqual(['help@agency.org', 'someone@elsewhere.org']);
    expect(smtp.received).toHaveLength(0);
  });

  it('mail server: signs in over STARTTLS before MAIL FROM, and never sends the password in the clear', async () => {
    t = await createTestApp();
    const dir = mkdtempSync(join(tmpdir(), 'hushdesk-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    rmSync(dir, { recursive: true });
    const signedIn: boolean[] = [];
    smtp = await TestSmtpServer.start({
      disabledCommands: [],
      key,
      cert,
      authMethods: ['PLAIN'],
      onMailFrom: (_address, session, callback) => {
        signedIn.push(session.secure && session.user === 'desk');
        callback();
      },
    });
    const url = `smtp://desk:pa%40ss@127.0.0.1:${smtp.port}`;
    await expect(
      probeSmtp({ ...transportOptions(url), tls: { ca: cert } }, 'help@agency.org', 5000),
    ).resolves.toMatch(/^250/);
    expect(signedIn).toEqual([true]);
    expect(smtp.authAttempts).toEqual(['desk']);

    // The same server without STARTTLS: the probe stops before AUTH.
    await smtp.stop();
    smtp = await TestSmtpServer.start();
    const plain = await checkSmtp(
      context({ smtpUrl: `smtp://desk:secret@127.0.0.1:${smtp.port}` }),
    );
    expect(plain.verdict).toBe('fail');
    expect(plain.detail).toContain('STARTTLS');
    expect(smtp.authAttempts).toEqual([]);
  });

  it('BASE_URL: passes for https or loopback, fails for plain http to another host', async () => {
    t = await createTestApp();
    expect(checkBaseUrl({ ...t.config, baseUrl: 'https://help.agency.org' }).verdict).toBe('ok');
    expect(checkBaseUrl({ ...t.config, baseUrl: 'http://localhost:3000' }).verdict).toBe('ok');
    const plain = checkBaseUrl({ ...t.config, baseUrl: 'http://help.agency.org' });
    expect(plain.verdict).toBe('fail');
    expect(plain.action).toContain('BASE_URL=https://');
  });

  it('TRUST_PROXY: passes when it fits the requests seen, says what to change when it does not', async () => {
    t = await createTestApp();
    expect((await checkTrustProxy(context())).verdict).toBe('ok');
    // Requests seen by the app itself: through a proxy, with TRUST_PROXY off.
    await t.app.inject({ url: '/healthz', headers: { 'x-forwarded-for': '203.0.113.7' } });
    const off = await checkTrustProxy(context());
    expect(off.verdict).toBe('warn');
    expect(off.action).toContain('TRUST_PROXY=on');
    expect((await checkTrustProxy(context({ trustProxy: true }))).verdict).toBe('ok');
    await saveRequestsSeen(
      t.app.db,
      { forwardedAt: null, directAt: new Date().toISOString() },
      new Date(),
    );
    const direct = await checkTrustProxy(context({ trustProxy: true }));
    expect(direct.verdict).toBe('fail');
    expect(direct.action).toContain('HOST=127.0.0.1');
  });

  it('clock: passes when no record is from the future and the zone was chosen', async () => {
    t = await createTestApp();
    expect((await checkClock(context())).verdict).toBe('ok');
    expect(
      (await checkClock(context({}, { tzFromEnvironment: false, timeZone: t.config.timeZone })))
        .verdict,
    ).toBe('warn');
    await recordAudit(
      t.app.db,
      { actor: { label: 'x' }, action: 'from-the-future' },
      new Date(Date.now() + 3_600_000),
    );
    const behind = await checkClock(context());
    expect(behind.verdict).toBe('fail');
    expect(behind.action).toContain('timedatectl set-ntp true');
  });

  it('outbox: passes without dead letters, fails with one', async () => {
    t = await createTestApp();
    expect((await checkOutbox(context())).verdict).toBe('ok');
    const id = await insertOutboxMessage(
      t.app.db,
      {
        kind: 'assigned',
        recipientStaffId: null,
        toAddress: 'a@example.org',
        subject: 's',
        textBody: 't',
        htmlBody: 'h',
        ticketId: null,
      },
      'localhost',
      new Date(),
    );
    await t.app.db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1 })
      .where('id', '=', id)
      .execute();
    await markOutboxFailed(t.app.db, { id, attempts: 1 }, { error: '550 no', retryAt: null });
    const dead = await checkOutbox(context());
    expect(dead.verdict).toBe('fail');
    expect(dead.detail).toBe('1 notification(s) gave up (dead letters)');
  });

  it('migrations: passes up to date, warns when pending, fails for a newer database', async () => {
    t = await createTestApp();
    expect((await checkMigrations(context())).verdict).toBe('ok');
    await sql`delete from kysely_migration where name = '0070_outbox_delivered_index'`.execute(
      t.app.db,
    );
    expect(await checkMigrations(context())).toMatchObject({
      verdict: 'warn',
      action: expect.stringContaining('hushdesk migrate'),
    });
    await sql`insert into kysely_migration (name, timestamp) values ('0999_newer', 'x')`.execute(
      t.app.db,
    );
    expect((await checkMigrations(context())).verdict).toBe('fail');
  });

  // SQLite only: its checks read the SQLite file.
  it.skipIf(testStore === 'postgres')(
    'as a command: a line per check, exit status 1 when something needs action, 0 when all is well',
    async () => {
      t = await createTestApp();
      const bad = await runDoctorCommand({ DATA_DIR: t.dataDir, BACKUP_AT: '7pm' });
      expect(bad.ok).toBe(false);
      expect(bad.output).toContain('FAIL  configuration: BACKUP_AT: accepts a time of day');
      const env = {
        DATA_DIR: t.dataDir,
        TZ: 'America/Chicago',
        BACKUP_KEEP: '3',
        LOG_LEVEL: 'silent',
      };
      const first = await runDoctorCommand(env);
      expect(first.ok).toBe(false);
      for (const name of [
        'configuration',
        'data directory',
        'encryption key',
        'backups',
        'mail server',
        'BASE_URL',
        'TRUST_PROXY',
        'clock and time zone',
        'outbox',
        'migrations',
      ]) {
        expect(first.output).toMatch(new RegExp(`^(ok  |warn|FAIL)  ${name}: `, 'm'));
      }
      // Put everything right, as the report says.
      chmodSync(t.dataDir, 0o700);
      mkdirSync(join(t.dataDir, 'backups'));
      await backupDatabase(t.dataDir, join(t.dataDir, 'backups', 'hushdesk-20261127T150000Z.db'));
      const keyId = /key (\w+): nobody/.exec(first.output)?.[1] ?? '';
      await confirmKeyCopy(t.app.db, { keyId, at: new Date().toISOString(), by: 'Ann' }, null);
      smtp = await TestSmtpServer.start();
      const well = await runDoctorCommand({ ...env, SMTP_URL: smtp.url });
      expect(well.output).toContain('All is well.');
      expect(well.ok).toBe(true);
      expect(loadConfig({ ...env }).backupKeep).toBe(3);
    },
  );
});

describe.skipIf(testStore !== 'postgres')('hushdesk doctor on PostgreSQL', () => {
  it('reads the store DATABASE_URL names, and names DATABASE_URL when the server does not answer', async () => {
    t = await createTestApp();
    const url = t.config.databaseUrl ?? '';
    expect(url).toMatch(/^postgres/);
    const env = { DATA_DIR: t.dataDir, DATABASE_URL: url, LOG_LEVEL: 'silent' };
    const report = await runDoctorCommand(env);
    expect(report.output).toMatch(/^ok +migrations: up to date/m);
    expect(report.output).toMatch(/^ok +outbox: /m);
    // A server that is not there: one line, naming the variable.
    const gone = await runDoctorCommand({
      ...env,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(gone.ok).toBe(false);
    expect(gone.output).toMatch(
      /^FAIL +database: DATABASE_URL: cannot reach the PostgreSQL server/m,
    );
  });
});

describe('Settings → System', () => {
  it('shows administrators the same checks, and records a saved copy of the key', async () => {
    t = await createTestAppWith({
      ann: { name: 'Ann Lee', role: 'admin' },
      sam: { role: 'staff' },
    });
    const ann = await signIn(t.app, 'ann');
    const page = await ann.get('/settings/system');
    expect(page.statusCode).toBe(200);
    for (const name of [
      'data directory',
      'encryption key',
      'backups',
      'mail server',
      'migrations',
    ]) {
      expect(page.body).toContain(`<strong>${name}</strong>`);
    }
    if (testStore === 'postgres') {
      // No backup file to fail for: PostgreSQL is backed up with its own tools.
      expect(page.body).toContain('What to do: Schedule pg_dump');
    } else {
      expect(page.body).toContain('Needs action');
      expect(page.body).toContain('What to do: Set BACKUP_KEEP');
    }
    const saved = await ann.post('/settings/system/key-saved');
    expect(saved.statusCode).toBe(303);
    const after = await ann.get('/settings/system?saved=1');
    expect(after.body).toMatch(/<span class="badge">OK<\/span>\s*<strong>encryption key<\/strong>/);
    expect(after.body).toContain('a copy was confirmed on');
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'key-copy-confirmed')
      .execute();
    expect(audit).toHaveLength(1);
    const sam = await signIn(t.app, 'sam');
    expect((await sam.get('/settings/system')).statusCode).toBe(403);
  });
});
