import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { backupDatabase } from '../../src/db/backup.js';
import {
  checkBaseUrl,
  checkClock,
  checkMigrations,
  checkOutbox,
  checkTrustProxy,
} from '../../src/ops/doctor.js';
import { runDoctorCommand } from '../../src/ops/doctor-cli.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { confirmKeyCopy, saveRequestsSeen } from '../../src/repositories/ops.js';
import { insertOutboxMessage, markOutboxFailed } from '../../src/repositories/outbox.js';
import { createTestApp, createTestAppWith, signIn } from '../helpers/app.js';
import { useDoctorWorld } from '../helpers/doctor.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { testStore } from '../helpers/store.js';

const w = useDoctorWorld();

describe('hushdesk doctor', () => {
  it('BASE_URL: passes for https or loopback, fails for plain http to another host', async () => {
    w.t = await createTestApp();
    expect(checkBaseUrl({ ...w.t.config, baseUrl: 'https://help.agency.org' }).verdict).toBe('ok');
    expect(checkBaseUrl({ ...w.t.config, baseUrl: 'http://localhost:3000' }).verdict).toBe('ok');
    const plain = checkBaseUrl({ ...w.t.config, baseUrl: 'http://help.agency.org' });
    expect(plain.verdict).toBe('fail');
    expect(plain.action).toContain('BASE_URL=https://');
  });

  it('TRUST_PROXY: passes when it fits the requests seen, says what to change when it does not', async () => {
    w.t = await createTestApp();
    expect((await checkTrustProxy(w.context())).verdict).toBe('ok');
    // Requests seen by the app itself: through a proxy, with TRUST_PROXY off.
    await w.t.app.inject({ url: '/healthz', headers: { 'x-forwarded-for': '203.0.113.7' } });
    const off = await checkTrustProxy(w.context());
    expect(off.verdict).toBe('warn');
    expect(off.action).toContain('TRUST_PROXY=on');
    expect((await checkTrustProxy(w.context({ trustProxy: true }))).verdict).toBe('ok');
    await saveRequestsSeen(
      w.t.app.db,
      { forwardedAt: null, directAt: new Date().toISOString() },
      new Date(),
    );
    const direct = await checkTrustProxy(w.context({ trustProxy: true }));
    expect(direct.verdict).toBe('fail');
    expect(direct.action).toContain('HOST=127.0.0.1');
  });

  it('clock: passes when no record is from the future and the zone was chosen', async () => {
    w.t = await createTestApp();
    expect((await checkClock(w.context())).verdict).toBe('ok');
    expect(
      (await checkClock(w.context({}, { tzFromEnvironment: false, timeZone: w.t.config.timeZone })))
        .verdict,
    ).toBe('warn');
    await recordAudit(
      w.t.app.db,
      { actor: { label: 'x' }, action: 'from-the-future' },
      new Date(Date.now() + 3_600_000),
    );
    const behind = await checkClock(w.context());
    expect(behind.verdict).toBe('fail');
    expect(behind.action).toContain('timedatectl set-ntp true');
  });

  it('outbox: passes without dead letters, fails with one', async () => {
    w.t = await createTestApp();
    expect((await checkOutbox(w.context())).verdict).toBe('ok');
    const id = await insertOutboxMessage(
      w.t.app.db,
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
    await w.t.app.db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1 })
      .where('id', '=', id)
      .execute();
    await markOutboxFailed(w.t.app.db, { id, attempts: 1 }, { error: '550 no', retryAt: null });
    const dead = await checkOutbox(w.context());
    expect(dead.verdict).toBe('fail');
    expect(dead.detail).toBe('1 notification(s) gave up (dead letters)');
  });

  it('migrations: passes up to date, warns when pending, fails for a newer database', async () => {
    w.t = await createTestApp();
    expect((await checkMigrations(w.context())).verdict).toBe('ok');
    await sql`delete from kysely_migration where name = '0070_outbox_delivered_index'`.execute(
      w.t.app.db,
    );
    expect(await checkMigrations(w.context())).toMatchObject({
      verdict: 'warn',
      action: expect.stringContaining('hushdesk migrate'),
    });
    await sql`insert into kysely_migration (name, timestamp) values ('0999_newer', 'x')`.execute(
      w.t.app.db,
    );
    expect((await checkMigrations(w.context())).verdict).toBe('fail');
  });

  // SQLite only: its checks read the SQLite file.
  it.skipIf(testStore === 'postgres')(
    'as a command: a line per check, exit status 1 when something needs action, 0 when all is well',
    async () => {
      w.t = await createTestApp();
      const bad = await runDoctorCommand({ DATA_DIR: w.t.dataDir, BACKUP_AT: '7pm' });
      expect(bad.ok).toBe(false);
      expect(bad.output).toContain('FAIL  configuration: BACKUP_AT: accepts a time of day');
      const env = {
        DATA_DIR: w.t.dataDir,
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
      chmodSync(w.t.dataDir, 0o700);
      mkdirSync(join(w.t.dataDir, 'backups'));
      await backupDatabase(
        w.t.dataDir,
        join(w.t.dataDir, 'backups', 'hushdesk-20261127T150000Z.db'),
      );
      const keyId = /key (\w+): nobody/.exec(first.output)?.[1] ?? '';
      await confirmKeyCopy(w.t.app.db, { keyId, at: new Date().toISOString(), by: 'Ann' }, null);
      w.smtp = await TestSmtpServer.start();
      const well = await runDoctorCommand({ ...env, SMTP_URL: w.smtp.url });
      expect(well.output).toContain('All is well.');
      expect(well.ok).toBe(true);
      expect(loadConfig({ ...env }).backupKeep).toBe(3);
    },
  );
});

describe.skipIf(testStore !== 'postgres')('hushdesk doctor on PostgreSQL', () => {
  it('reads the store DATABASE_URL names, and names DATABASE_URL when the server does not answer', async () => {
    w.t = await createTestApp();
    const url = w.t.config.databaseUrl ?? '';
    expect(url).toMatch(/^postgres/);
    const env = { DATA_DIR: w.t.dataDir, DATABASE_URL: url, LOG_LEVEL: 'silent' };
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
    w.t = await createTestAppWith({
      ann: { name: 'Ann Lee', role: 'admin' },
      sam: { role: 'staff' },
    });
    const ann = await signIn(w.t.app, 'ann');
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
    const audit = await w.t.app.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'key-copy-confirmed')
      .execute();
    expect(audit).toHaveLength(1);
    const sam = await signIn(w.t.app, 'sam');
    expect((await sam.get('/settings/system')).statusCode).toBe(403);
  });
});
