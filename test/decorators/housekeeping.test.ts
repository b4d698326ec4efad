import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/decorators/housekeeping.js';
import { recordAudit } from '../../src/repositories/audit.js';
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
