import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { backupDatabase } from '../../src/db/backup.js';
import {
  checkBaseUrl,
  checkClock,
  checkMigrations,
  checkOutbox,
  checkTrustProxy,
} from '../../src/ops/doctor.js';
import type { DoctorContext } from '../../src/ops/doctor-check.js';
import { runDoctorCommand } from '../../src/ops/doctor-cli.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { confirmKeyCopy, saveRequestsSeen } from '../../src/repositories/ops.js';
import { insertOutboxMessage, markOutboxFailed } from '../../src/repositories/outbox.js';
import { createTestApp, createTestAppWith, signIn, type TestApp } from '../helpers/app.js';
import { doctorContext } from '../helpers/doctor.js';
import { TestSmtpServer } from '../helpers/smtp.js';

let t: TestApp;
let smtp: TestSmtpServer | null = null;
afterEach(async () => {
  await smtp?.stop();
  smtp = null;
  await t.close();
});

const context = (overrides?: Partial<Config>, extra?: Partial<DoctorContext>) =>
  doctorContext(t, overrides, extra);

describe('hushdesk doctor', () => {
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
    await t.app.db.updateTable('outbox').set({ status: 'sending' }).where('id', '=', id).execute();
    await markOutboxFailed(t.app.db, id, { error: '550 no', retryAt: null });
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

  it('as a command: a line per check, exit status 1 when something needs action, 0 when all is well', async () => {
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
    expect(page.body).toContain('Needs action');
    expect(page.body).toContain('What to do: Set BACKUP_KEEP');
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
