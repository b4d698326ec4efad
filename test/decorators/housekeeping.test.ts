import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/decorators/housekeeping.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { insertOutboxMessage } from '../../src/repositories/outbox.js';
import { setSetting } from '../../src/repositories/settings.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testStore } from '../helpers/store.js';

let t: TestApp;
afterEach(() => t.close());

const YEAR = 365.25 * 24 * 3_600_000;

async function actions(app: TestApp['app']) {
  return await app.db.selectFrom('audit_log').select(['action', 'detail']).orderBy('id').execute();
}

describe('audit retention', () => {
  it('prunes rows older than six years by default, and says so in the log', async () => {
    t = await createTestApp();
    const now = t.clock.now().getTime();
    for (const [age, action] of [
      [6.2 * YEAR, 'very-old'],
      [5.9 * YEAR, 'old'],
      [0.1 * YEAR, 'recent'],
    ] as const) {
      await recordAudit(t.app.db, { actor: { label: 'x' }, action }, new Date(now - age));
    }
    await runHousekeeping(t.app, { lastPrune: null });
    const rows = await actions(t.app);
    expect(rows.map((r) => r.action)).toEqual(['old', 'recent', 'audit-pruned']);
    expect(rows[2]?.detail).toBe('1 rows older than 6 years (before 2020-11-27) removed');
  });

  it('follows the audit_retention_years setting, and runs once a day', async () => {
    t = await createTestApp();
    await setSetting(t.app.db, 'audit_retention_years', 7, null, t.clock.now());
    const now = t.clock.now().getTime();
    await recordAudit(
      t.app.db,
      { actor: { label: 'x' }, action: 'six-and-a-half' },
      new Date(now - 6.5 * YEAR),
    );
    const state = { lastPrune: null };
    await runHousekeeping(t.app, state);
    expect((await actions(t.app)).map((r) => r.action)).toEqual(['six-and-a-half']);

    await setSetting(t.app.db, 'audit_retention_years', 6, null, t.clock.now());
    t.clock.advance(3_600_000);
    await runHousekeeping(t.app, state);
    expect((await actions(t.app)).map((r) => r.action)).toEqual(['six-and-a-half']);
    t.clock.advance(24 * 3_600_000);
    await runHousekeeping(t.app, state);
    expect((await actions(t.app)).map((r) => r.action)).toEqual(['audit-pruned']);
  });
});

describe('nightly backups', () => {
  it('are off unless BACKUP_KEEP is set', async () => {
    t = await createTestApp();
    await runHousekeeping(t.app, { lastPrune: null });
    expect(existsSync(join(t.dataDir, 'backups'))).toBe(false);
  });

  // The nightly backup copies the SQLite file; PostgreSQL is backed up with pg_dump.
  it.skipIf(testStore === 'postgres')(
    'take one a day into DATA_DIR/backups and keep only the newest BACKUP_KEEP',
    async () => {
      t = await createTestApp({ BACKUP_KEEP: '2' });
      const state = { lastPrune: null };
      const folder = join(t.dataDir, 'backups');
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder)).toEqual(['hushdesk-20261127T150000Z.db']);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      t.clock.advance(2 * 3_600_000);
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder)).toHaveLength(1);
      t.clock.advance(22 * 3_600_000);
      await runHousekeeping(t.app, state);
      t.clock.advance(24 * 3_600_000);
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder).sort()).toEqual([
        'hushdesk-20261128T150000Z.db',
        'hushdesk-20261129T150000Z.db',
      ]);
    },
  );
});

describe('the nightly backup at BACKUP_AT', () => {
  // SQLite only: nightly backups are of the SQLite file.
  it.skipIf(testStore === 'postgres')(
    'is taken at that time on the agency clock, not 24 hours after the last one',
    async () => {
      // The test clock starts at 09:00 in Chicago (15:00 UTC).
      t = await createTestApp({ BACKUP_KEEP: '5', BACKUP_AT: '23:30' });
      const state = { lastPrune: null };
      const folder = join(t.dataDir, 'backups');
      await runHousekeeping(t.app, state);
      // None yet: the first is taken at once.
      expect(readdirSync(folder)).toEqual(['hushdesk-20261127T150000Z.db']);
      t.clock.advanceMinutes(14 * 60 + 29); // 23:29 in Chicago
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder)).toHaveLength(1);
      t.clock.advanceMinutes(1); // 23:30
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder).sort().at(-1)).toBe('hushdesk-20261128T053000Z.db');
      t.clock.advanceMinutes(23 * 60 + 59);
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder)).toHaveLength(2);
      t.clock.advanceMinutes(1);
      await runHousekeeping(t.app, state);
      expect(readdirSync(folder).sort().at(-1)).toBe('hushdesk-20261129T053000Z.db');
    },
  );

  // SQLite only: nightly backups are of the SQLite file.
  it.skipIf(testStore === 'postgres')('follows the time zone set in Settings', async () => {
    t = await createTestApp({ BACKUP_KEEP: '5', BACKUP_AT: '02:00' });
    await setSetting(t.app.db, 'time_zone', 'Asia/Tokyo', null, t.clock.now());
    await t.app.agency.reload();
    const state = { lastPrune: null };
    const folder = join(t.dataDir, 'backups');
    await runHousekeeping(t.app, state); // 00:00 on the 28th in Tokyo
    t.clock.advanceMinutes(119);
    await runHousekeeping(t.app, state);
    expect(readdirSync(folder)).toHaveLength(1);
    t.clock.advanceMinutes(1); // 02:00 in Tokyo, 17:00 UTC
    await runHousekeeping(t.app, state);
    expect(readdirSync(folder).sort().at(-1)).toBe('hushdesk-20261127T170000Z.db');
  });

  it('refuses a BACKUP_AT that is not a time of day', async () => {
    await expect(createTestApp({ BACKUP_AT: '25:00' })).rejects.toThrow(
      'BACKUP_AT: accepts a time of day as HH:MM (24-hour), got "25:00"',
    );
    t = await createTestApp();
  });
});

describe('the outbox purge', () => {
  async function addMessage(status: string, sentDaysAgo: number | null) {
    const now = t.clock.now();
    const id = await insertOutboxMessage(
      t.app.db,
      {
        kind: 'assigned',
        recipientStaffId: null,
        toAddress: 'ann@example.org',
        subject: `[hushdesk #1] ${status} ${sentDaysAgo}`,
        textBody: 'x',
        htmlBody: 'x',
        ticketId: null,
      },
      'localhost',
      new Date(now.getTime() - 400 * 24 * 3_600_000),
    );
    await t.app.db
      .updateTable('outbox')
      .set({
        status: status as never,
        sent_at:
          sentDaysAgo === null
            ? null
            : new Date(now.getTime() - sentDaysAgo * 24 * 3_600_000).toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }
  const subjects = async () =>
    (await t.app.db.selectFrom('outbox').select('subject').orderBy('id').execute()).map(
      (r) => r.subject,
    );

  it('deletes delivered rows older than 90 days, keeps the rest, and records it once a day', async () => {
    t = await createTestApp();
    await addMessage('sent', 91);
    await addMessage('sent', 89);
    await addMessage('delivered_locally', 120);
    await addMessage('dead', null);
    await addMessage('queued', null);
    await addMessage('retrying', null);
    const state = { lastPrune: null };
    await runHousekeeping(t.app, state);
    expect(await subjects()).toEqual([
      '[hushdesk #1] sent 89',
      '[hushdesk #1] dead null',
      '[hushdesk #1] queued null',
      '[hushdesk #1] retrying null',
    ]);
    const rows = await actions(t.app);
    expect(rows.at(-1)).toEqual({
      action: 'outbox-purged',
      detail: '2 delivered messages older than 90 days (before 2026-08-29) removed',
    });
    t.clock.advance(3 * 24 * 3_600_000);
    await runHousekeeping(t.app, state);
    expect(await subjects()).toHaveLength(3);
  });

  it('follows OUTBOX_RETENTION_DAYS', async () => {
    t = await createTestApp({ OUTBOX_RETENTION_DAYS: '30' });
    await addMessage('sent', 31);
    await addMessage('sent', 29);
    await runHousekeeping(t.app, { lastPrune: null });
    expect(await subjects()).toEqual(['[hushdesk #1] sent 29']);
  });
});
