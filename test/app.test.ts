import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../src/root.js';
import { addStaff, createTestApp, signIn, type TestApp } from './helpers/app.js';

/**
 * The browser keeps no copy of PHI pages (REFERENCE.md, "htmx"): signed-in
 * pages send Cache-Control: no-store, and htmx keeps no history snapshot. htmx
 * 4 core has no localStorage/sessionStorage history cache at all; only the
 * opt-in ext/hx-history-cache.js (or the htmax bundle) has one
 * (/work/notes/htmx4.md §2, §8), and hushdesk loads neither.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await addStaff(t.app, 'ann', { role: 'admin' });
});
afterAll(() => t.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no copy of PHI pages in the browser', () => {
  it('loads htmx core and our own script only: no history-cache extension', () => {
    const layout = readFileSync(join(ROOT, 'views', 'layout.eta'), 'utf8');
    expect([...layout.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '/vendor/htmx/htmx.min.js',
      '/static/js/app.js',
    ]);
    for (const file of [...filesUnder(join(ROOT, 'views')), ...filesUnder(join(ROOT, 'public'))]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(
        /history-cache|historyCache|htmax|localStorage|sessionStorage/,
      );
    }
  });

  it('serves no htmx file but the core build', async () => {
    for (const path of ['ext/hx-history-cache.js', 'htmax.js', 'htmx.js', 'htmx.esm.js']) {
      expect((await t.app.inject({ url: `/vendor/htmx/${path}` })).statusCode).toBe(404);
    }
    expect((await t.app.inject({ url: '/vendor/htmx/htmx.min.js' })).statusCode).toBe(200);
  });

  it('sends Cache-Control: no-store on signed-in pages and fragments', async () => {
    const ann = await signIn(t.app, 'ann');
    for (const url of [
      '/',
      '/audit',
      '/profile/two-factor',
      '/settings/security',
      '/no-such-page',
    ]) {
      expect((await ann.get(url)).headers['cache-control'], url).toBe('no-store');
    }
    expect((await ann.htmx('GET', '/audit')).headers['cache-control']).toBe('no-store');
  });
});
