import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databaseFile } from '../../src/db/index.js';
import { cacheOf } from '../../src/web/page-cache.js';
import { type Browser, signIn, useTestAppWith } from '../helpers/app.js';
import { readable } from '../helpers/pages.js';
import { testStore } from '../helpers/store.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * The ticket lists are kept and served again while nothing they show has
 * changed (src/web/page-cache.ts). On SQLite; on PostgreSQL nothing is kept,
 * and every page here must read the same.
 */
const keeps = testStore === 'sqlite';

const world = useTestAppWith(
  { ann: { name: 'Ann Lee', role: 'admin' }, bo: { name: 'Bo Chen' } },
  async (t) => {
    const ann = await signIn(t.app, 'ann');
    const printer = await createTicket(ann, { title: 'Printer jams in billing' });
    const scanner = await createTicket(ann, { title: 'Scanner offline' });
    await createTicket(ann, { title: 'Café printer for Nguyễn' });
    return { ann, printer, scanner };
  },
);

const kept = () => cacheOf(world.t.app.db);

/** Opens a list; says whether it came from a kept copy. */
async function open(browser: Browser, url: string, headers: Record<string, string> = {}) {
  const before = kept().hits;
  const response = await browser.get(url, headers);
  expect(response.statusCode).toBe(200);
  return { body: response.body, fromKeptCopy: kept().hits > before };
}

const csrfIn = (body: string) => /name="csrf-token" content="([^"]+)"/.exec(body)?.[1];

describe('kept ticket lists', () => {
  it('serve the same list again, each session with its own CSRF token', async () => {
    const { t, ann, printer } = world;
    await open(ann, '/tickets');
    const again = await open(ann, '/tickets');
    expect(again.fromKeptCopy).toBe(keeps);
    expect(again.body).toContain('Printer jams in billing');
    // Kept as UTF-8 bytes: a Latin-1 letter and one past it read back as typed.
    expect(readable(again.body)).toContain('Café printer for Nguyễn');

    // Ann signed in a second time, in another browser: the same page, her token there.
    const other = await signIn(t.app, 'ann');
    const second = await open(other, '/tickets');
    expect(second.fromKeptCopy).toBe(keeps);
    const [first, theirs] = [csrfIn(again.body), csrfIn(second.body)];
    expect(first).toBe(ann.csrf);
    expect(theirs).toBe(other.csrf);
    expect(theirs).not.toBe(first);
    // Every form on the page carries it, and a post with it is accepted.
    expect(second.body).not.toContain(`value="${first}"`);
    expect(second.body).toContain(`name="_csrf" value="${theirs}"`);
    const saved = await other.post(`/tickets/${printer}/status`, {
      status: 'in_progress',
      version: '1',
      return: '/tickets',
    });
    expect(saved.statusCode).toBe(303);
  });

  it('show a save at once: the next list is rendered again', async () => {
    const { ann, scanner } = world;
    await open(ann, '/tickets');
    const page = await ann.get(`/tickets/${scanner}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '1';
    const saved = await ann.post(`/tickets/${scanner}/status`, {
      status: 'waiting',
      version,
      return: '/tickets',
    });
    expect(saved.statusCode).toBe(303);
    const after = await open(ann, '/tickets');
    expect(after.fromKeptCopy).toBe(false);
    const row = after.body.slice(after.body.indexOf(`id="ticket-${scanner}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('<option value="waiting" selected');
  });

  it('stay kept across a ticket view: its audit row changes nothing a list shows', async () => {
    const { ann, printer } = world;
    await open(ann, '/');
    expect((await ann.get(`/tickets/${printer}`)).statusCode).toBe(200);
    expect((await open(ann, '/')).fromKeptCopy).toBe(keeps);
  });

  it.skipIf(!keeps)('show a change another program made to the file at once', async () => {
    const { t, ann, printer } = world;
    await open(ann, '/tickets');
    expect((await open(ann, '/tickets')).fromKeptCopy).toBe(true);
    const beside = new SQLite(databaseFile(t.config.dataDir));
    try {
      beside.prepare('update tickets set title = ? where id = ?').run('Toner low', printer);
    } finally {
      beside.close();
    }
    // Another program's commit is seen from the server's next turn of its event
    // loop (src/db/dialect/change-marks.ts); here that turn comes at once.
    await new Promise((turn) => setImmediate(turn));
    const after = await open(ann, '/tickets');
    expect(after.fromKeptCopy).toBe(false);
    expect(after.body).toContain('Toner low');
    expect(after.body).not.toContain('Printer jams in billing');
  });

  it('last at most 15 seconds, for what moves with the clock alone', async () => {
    const { t, ann } = world;
    await open(ann, '/');
    t.clock.advance(10_000);
    expect((await open(ann, '/')).fromKeptCopy).toBe(keeps);
    t.clock.advance(16_000);
    expect((await open(ann, '/')).fromKeptCopy).toBe(false);
  });

  it('are never another person’s, nor a whole page for a fragment', async () => {
    const { t, ann } = world;
    const bo = await signIn(t.app, 'bo');
    await open(ann, '/tickets');
    // Bo may not open All tickets: refused, the kept copy not his to have.
    const refused = await bo.get('/tickets');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Scanner offline');
    await open(ann, '/');
    // Bo's own My tickets (kept when he signed in), not Ann's from a moment ago.
    const his = await open(bo, '/');
    expect(his.body).toContain('<span class="person">Bo Chen</span>');
    expect(his.body).not.toContain('<span class="person">Ann Lee</span>');
    const fragment = await open(ann, '/', { 'hx-request': 'true' });
    expect(fragment.fromKeptCopy).toBe(false);
    expect(fragment.body).not.toContain('<html');
    expect((await open(ann, '/')).body).toContain('<html');
  });

  it('are not served to a hard reload (Cache-Control: no-cache), which is rendered afresh', async () => {
    const { ann } = world;
    await open(ann, '/tickets');
    expect((await open(ann, '/tickets', { 'cache-control': 'no-cache' })).fromKeptCopy).toBe(false);
    expect((await open(ann, '/tickets', { pragma: 'no-cache' })).fromKeptCopy).toBe(false);
    expect((await open(ann, '/tickets', { 'cache-control': 'max-age=0' })).fromKeptCopy).toBe(
      keeps,
    );
  });

  it('count what they serve and what they hold on /metrics', async () => {
    const { t, ann } = world;
    await open(ann, '/');
    await open(ann, '/');
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    const served = /^hushdesk_kept_pages_served_total (\d+)$/m.exec(metrics.body)?.[1];
    expect(Number(served)).toBe(kept().hits);
    expect(Number(served) > 0).toBe(keeps);
    const bytes = /^hushdesk_kept_pages_bytes (\d+)$/m.exec(metrics.body)?.[1];
    expect(Number(bytes) > 0).toBe(keeps);
  });
});
