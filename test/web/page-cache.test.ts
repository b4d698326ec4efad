import { describe, expect, it } from 'vitest';
import { mayChangePages } from '../../src/db/dialect/change-marks.js';
import { PageCache } from '../../src/web/page-cache.js';

const bytes = (...parts: string[]) => parts.map((part) => Buffer.from(part));

describe('PageCache', () => {
  it('serves a page only under the mark it was kept with, within its age', () => {
    const cache = new PageCache(1000, 100);
    cache.set('a', 'm1', bytes('<p>', '</p>'), 0);
    expect(cache.get('a', 'm1', 50)?.parts).toEqual(bytes('<p>', '</p>'));
    expect(cache.get('a', 'm2', 50)).toBeNull();
    // Gone once found stale.
    expect(cache.get('a', 'm1', 50)).toBeNull();
    cache.set('b', 'm1', bytes('x'), 0);
    expect(cache.get('b', 'm1', 101)).toBeNull();
    cache.set('c', 'm1', bytes('x'), 100);
    expect(cache.get('c', 'm1', 99)).toBeNull(); // a clock put back
    expect([cache.hits, cache.misses]).toEqual([1, 4]);
  });

  it('holds at most its bytes (each page twice: cut, and as last sent), the least recently served going first', () => {
    const cache = new PageCache(20, 1000);
    cache.set('a', 'm', bytes('aaaa'), 0);
    cache.set('b', 'm', bytes('bbbb'), 0);
    expect(cache.get('a', 'm', 1)).not.toBeNull();
    cache.set('c', 'm', bytes('cccc'), 0);
    expect(cache.get('b', 'm', 1)).toBeNull();
    expect(cache.get('a', 'm', 1)).not.toBeNull();
    expect(cache.get('c', 'm', 1)).not.toBeNull();
    expect(cache.bytes).toBe(16);
    cache.set('big', 'm', bytes('x'.repeat(11)), 0);
    expect(cache.get('big', 'm', 1)).toBeNull();
    expect(cache.size).toBe(2);
  });
});

describe('mayChangePages', () => {
  it('is false only for plain writes to the tables no page shows', () => {
    expect(mayChangePages('insert into "audit_log" ("at") values (?)')).toBe(false);
    expect(mayChangePages('update "sessions" set "last_seen_at" = ?')).toBe(false);
    expect(mayChangePages('delete from sign_in_failures where at < ?')).toBe(false);
    expect(mayChangePages('insert or replace into "outbox" values (?)')).toBe(false);
    expect(mayChangePages('update "tickets" set "status" = ?')).toBe(true);
    expect(mayChangePages('insert into "ticket_events" ("at") values (?)')).toBe(true);
    expect(mayChangePages('delete from "staff" where id = ?')).toBe(true);
    expect(mayChangePages('with x as (select 1) insert into "audit_log" select * from x')).toBe(
      true,
    );
    expect(mayChangePages('create index i on tickets (id)')).toBe(true);
  });
});
