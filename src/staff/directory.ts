import { keptWhileUnchanged } from '../db/dialect/change-marks.js';
import type { Db } from '../db/index.js';
import { listAssignableStaff, readStaffDirectoryVersion } from '../repositories/staff.js';
import { StaffDirectory } from './search.js';

interface Cached {
  version: number;
  directory: Promise<StaffDirectory>;
}

/** On SQLite, the version row is read again only once something was saved. */
const directoryVersion = keptWhileUnchanged(readStaffDirectoryVersion);

/** One cache per store (tests build many apps in one process). */
const caches = new WeakMap<Db, Cached>();

/**
 * The staff who can be chosen (active, not external support), as quick search sees them. Each call reads one row (the
 * version that triggers bump on any staff change) and rebuilds only when it
 * moved, so a search costs one primary-key read and a pass in memory.
 */
export async function staffDirectory(db: Db): Promise<StaffDirectory> {
  const version = await directoryVersion(db);
  const cached = caches.get(db);
  if (cached && cached.version === version) return cached.directory;
  // Concurrent callers share one load; a failed load is not kept.
  const directory = listAssignableStaff(db).then((rows) => new StaffDirectory(rows));
  caches.set(db, { version, directory });
  directory.catch(() => {
    if (caches.get(db)?.directory === directory) caches.delete(db);
  });
  return directory;
}
