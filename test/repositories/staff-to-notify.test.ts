import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  findStaffToNotify,
  setNotificationPreferences,
} from '../../src/repositories/notifications.js';
import { useBareStore } from '../helpers/store.js';

const now = new Date('2026-11-27T15:00:00Z');
const names = ['ann', 'bo', 'cy', 'di', 'ed', 'flo', 'gus', 'hal', 'ida', 'jo'];
const store = useBareStore(names, now);

describe('who a notification goes to', () => {
  it('the active staff given who have not turned the kind off, for one person and for more than are compiled once', async () => {
    const { db, people } = store;
    const [ann = 0, bo = 0, cy = 0] = people;
    await setNotificationPreferences(db, bo, { kinds: ['assigned'], enabled: new Set() }, now);
    await sql`update staff set active = 0 where id = ${cy}`.execute(db);
    const ids = async (staff: number[], kind = 'assigned') =>
      (await findStaffToNotify(db, staff, kind)).map((s) => s.id);

    expect(await ids([])).toEqual([]);
    expect(await ids([ann])).toEqual([ann]);
    expect(await ids([bo])).toEqual([]);
    expect(await ids([bo], 'note-added')).toEqual([bo]);
    expect(await ids([cy, ann, bo])).toEqual([ann]);
    // Ten people: past the compiled shapes, the same answer.
    const everyone = [...people];
    const expected = everyone.filter((id) => id !== bo && id !== cy).sort((a, b) => a - b);
    expect(await ids(everyone)).toEqual(expected);
    expect(await ids(everyone.slice(0, 8))).toEqual(
      expected.filter((id) => everyone.slice(0, 8).includes(id)),
    );
    const rows = await findStaffToNotify(db, [ann], 'assigned');
    expect(rows[0]?.email).toMatch(/@/);
  });
});
