import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMarkOf, keptWhileUnchanged } from '../../src/db/dialect/change-marks.js';
import type { Db } from '../../src/db/index.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { listPriorities, updatePriorityTarget } from '../../src/repositories/priorities.js';
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

  it('keep settings and priorities, yet show a save at once, and a transaction its own writes', async () => {
    await setSetting(db, 'time_zone', 'America/Chicago', null, NOW);
    expect(await getSetting(db, 'time_zone', null)).toBe('America/Chicago');
    await setSetting(db, 'time_zone', 'America/Denver', null, NOW);
    expect(await getSetting(db, 'time_zone', null)).toBe('America/Denver');
    expect(await getSetting(db, 'never_set', 'fallback')).toBe('fallback');
    await db.transaction().execute(async (trx) => {
      await setSetting(trx, 'time_zone', 'America/Phoenix', null, NOW);
      expect(await getSetting(trx, 'time_zone', null)).toBe('America/Phoenix');
    });
    expect(await getSetting(db, 'time_zone', null)).toBe('America/Phoenix');

    const [first] = await listPriorities(db);
    if (!first) throw new Error('no priorities seeded');
    // Each caller has its own copy: a change to one is not what the next reads.
    first.name = 'Changed by a caller';
    expect((await listPriorities(db))[0]?.name).not.toBe('Changed by a caller');
    await updatePriorityTarget(db, first.id, { responseMinutes: 7, label: '7 minutes' }, null, NOW);
    const after = (await listPriorities(db)).find((p) => p.id === first.id);
    expect(after?.response_minutes).toBe(7);
    expect(after?.target_label).toBe('7 minutes');
  });
});
