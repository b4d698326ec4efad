import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFilePath } from '../../src/crypto/key.js';
import { backupDatabase } from '../../src/db/backup.js';
import { checkBackups, checkDataDirectory, checkKey } from '../../src/ops/storage-checks.js';
import { confirmKeyCopy } from '../../src/repositories/ops.js';
import { createTestApp } from '../helpers/app.js';
import { useDoctorWorld } from '../helpers/doctor.js';
import { testStore } from '../helpers/store.js';

/** hushdesk doctor's checks of what lies on disk: the data directory, the key, the backups. */
const w = useDoctorWorld();

describe('hushdesk doctor: storage', () => {
  it('data directory: passes when owner-only with room, fails on wrong owner, open mode or no room', async () => {
    w.t = await createTestApp();
    chmodSync(w.t.dataDir, 0o700);
    expect(checkDataDirectory(w.context())).toMatchObject({ verdict: 'ok', action: null });
    expect(
      checkDataDirectory(w.context({}, { minFreeBytes: Number.MAX_SAFE_INTEGER })),
    ).toMatchObject({
      verdict: 'fail',
      action: expect.stringContaining('Free space'),
    });
    chmodSync(w.t.dataDir, 0o755);
    expect(checkDataDirectory(w.context())).toMatchObject({
      verdict: 'warn',
      action: `It holds the database, the key and the backups: chmod 700 ${w.t.dataDir}`,
    });
    if (process.getuid?.() === 0) {
      chownSync(w.t.dataDir, 4242, 4242);
      const wrongOwner = checkDataDirectory(w.context());
      expect(wrongOwner.verdict).toBe('fail');
      expect(wrongOwner.detail).toContain('belongs to uid 4242');
      chownSync(w.t.dataDir, 0, 0);
    }
  });

  it('key: passes when owner-only and a copy was confirmed, else says what to do', async () => {
    w.t = await createTestApp();
    const path = keyFilePath(w.t.dataDir);
    const unconfirmed = await checkKey(w.context());
    expect(unconfirmed.verdict).toBe('warn');
    expect(unconfirmed.action).toContain('hushdesk key-saved');
    const keyId = /key (\w+)/.exec(unconfirmed.detail)?.[1] ?? '';
    await confirmKeyCopy(w.t.app.db, { keyId, at: new Date().toISOString(), by: 'Ann' }, null);
    expect(await checkKey(w.context())).toMatchObject({ verdict: 'ok', action: null });
    // A confirmation of another key (before a rotation) does not count.
    await confirmKeyCopy(
      w.t.app.db,
      { keyId: 'somethingelse', at: new Date().toISOString(), by: 'Ann' },
      null,
    );
    expect((await checkKey(w.context())).verdict).toBe('warn');
    chmodSync(path, 0o644);
    expect(await checkKey(w.context())).toMatchObject({
      verdict: 'fail',
      action: `chmod 600 ${path}`,
    });
  });

  // SQLite only: backups are of the SQLite file (PostgreSQL: pg_dump).
  it.skipIf(testStore === 'postgres')(
    'backups: passes for a recent one that restores, fails for none, an old one or a damaged one',
    async () => {
      w.t = await createTestApp();
      expect(checkBackups(w.context())).toMatchObject({ verdict: 'fail' });
      mkdirSync(join(w.t.dataDir, 'backups'));
      const file = join(w.t.dataDir, 'backups', 'hushdesk-20261127T150000Z.db');
      await backupDatabase(w.t.dataDir, file);
      const good = checkBackups(w.context());
      expect(good).toMatchObject({ verdict: 'ok', action: null });
      expect(good.detail).toContain('restores');
      const later = new Date(Date.now() + 30 * 3_600_000);
      expect(checkBackups(w.context({}, { now: later }))).toMatchObject({ verdict: 'fail' });
      writeFileSync(file, 'not a database at all, but long enough to look like one'.repeat(100));
      const damaged = checkBackups(w.context());
      expect(damaged.verdict).toBe('fail');
      expect(damaged.detail).toContain('would not restore');
    },
  );

  it.runIf(testStore === 'postgres')(
    'backups: on PostgreSQL, says to use pg_dump instead of failing for no backup file',
    async () => {
      w.t = await createTestApp();
      expect(w.t.config.databaseUrl).toBeTruthy();
      expect(checkBackups(w.context())).toMatchObject({
        verdict: 'warn',
        action: expect.stringContaining('pg_dump'),
      });
    },
  );
});
