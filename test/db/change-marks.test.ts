import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMarkOf, keptWhileUnchanged } from '../../src/db/dialect/change-marks.js';
import type { Db } from '../../src/db/index.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { getSetting, setSetting } from '../../src/repositories/settings.js';
import { openTestStore, testStore } from '../helpers/store.js';

const keeps = testStore === 'sqlite';
const NOW = new Date('2026-11-27T15:00:00Z');
let db: Db;
let close = async () => {};

beforeAll(async () => {
  ({ db, close } = await openTestStore());
});
afterAll(() => close());

describe('change marks', () => {
  it('move on a saved setting, not on an audit row (SQLite); there are none on PostgreSQL', async () => {
    const before = changeMarkOf(db);
    expect(before !== null).toBe(keeps);
    await recordAudit(
      db,
      { actor: { staffId: null, label: 'test' }, action: 'ticket-viewed' },
      NOW,
    );
    expect(changeMarkOf(db)).toBe(before);
    await setSetting(db, 'agency_name', 'Riverside', null, NOW);
    if (keeps) expect(changeMarkOf(db)).not.toBe(before);
  });

  it('keep a read while nothing is saved, and read again after a save', async () => {
    let reads = 0;
    const read = keptWhileUnchanged(async (store) => {
      reads++;
      return getSetting(store, 'agency_name', '');
    });
    expect(await read(db)).toBe('Riverside');
    expect(await read(db)).toBe('Riverside');
    expect(reads).toBe(keeps ? 1 : 2);
    await setSetting(db, 'agency_name', 'Riverside Home Health', null, NOW);
    expect(await read(db)).toBe('Riverside Home Health');
    expect(reads).toBe(keeps ? 2 : 3);
  });
});
