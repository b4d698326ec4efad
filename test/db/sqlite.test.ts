import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  openSqlite,
  PAGE_CACHE_KIB,
  SOFT_HEAP_LIMIT_BYTES,
  withStatementCache,
} from '../../src/db/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'hushdesk-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite memory is bounded', () => {
  it('the page cache by size, and SQLite as a whole by a soft heap limit', () => {
    const db = openSqlite(join(dir, 'a.db'));
    expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(db.pragma('soft_heap_limit', { simple: true })).toBe(SOFT_HEAP_LIMIT_BYTES);
    db.close();
  });

  it('compiled statements: a flood of distinct queries keeps at most the limit', () => {
    const db = openSqlite(join(dir, 'b.db'));
    let prepared = 0;
    const counting = {
      prepare(sql: string) {
        prepared++;
        return db.prepare(sql);
      },
    } as unknown as Parameters<typeof withStatementCache>[0];
    const cached = withStatementCache(counting, 50);
    for (let i = 0; i < 1000; i++) cached.prepare(`select ${i}`);
    // The 50 most recent are still cached: asking again prepares nothing.
    const before = prepared;
    for (let i = 950; i < 1000; i++) cached.prepare(`select ${i}`);
    expect(prepared).toBe(before);
    // An older one was let go and must be prepared again.
    cached.prepare('select 1');
    expect(prepared).toBe(before + 1);
    db.close();
  });
});
