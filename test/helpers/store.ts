import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { PhiCipher } from '../../src/crypto/phi.js';
import { createDb, type Db } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createStaff } from '../../src/repositories/staff.js';

/** For counts that do not depend on what a description says: a pass-through cipher. */
export const PLAIN = {
  keyId: 'plain',
  encrypt: (value: string | null) => value,
  decrypt: (value: string | null) => value,
} as PhiCipher;

/** A migrated store of its own, without the app, and the ids of the staff it holds. */
export interface BareStore {
  db: Db;
  people: number[];
}

/**
 * Within the calling file or describe block: a fresh store migrated by the real
 * migrator, with these usernames on the staff (ids in `people`, in order),
 * removed after its tests.
 */
export function useBareStore(prefix: string, usernames: string[], now: Date): BareStore {
  const store = { people: [] } as unknown as BareStore;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store.db = createDb(dir);
    await migrateToLatest(store.db);
    for (const name of usernames) {
      const member = await createStaff(
        store.db,
        {
          name,
          username: name,
          email: `${name}@example.org`,
          department: null,
          passwordHash: null,
          roleKey: 'staff',
        },
        now,
      );
      store.people.push(member.id);
    }
  });
  afterAll(async () => {
    await store.db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return store;
}
