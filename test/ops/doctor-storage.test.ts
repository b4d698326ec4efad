import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { keyFilePath } from '../../src/crypto/key.js';
import { backupDatabase } from '../../src/db/backup.js';
import type { DoctorContext } from '../../src/ops/doctor-check.js';
import { checkBackups, checkDataDirectory, checkKey } from '../../src/ops/storage-checks.js';
import { confirmKeyCopy } from '../../src/repositories/ops.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { doctorContext } from '../helpers/doctor.js';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const context = (overrides?: Partial<Config>, extra?: Partial<DoctorContext>) =>
  doctorContext(t, overrides, extra);

describe('hushdesk doctor: data directory, key and backups', () => {
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

  it('backups: passes for a recent one that restores, fails for none, an old one or a damaged one', async () => {
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
  });
});
