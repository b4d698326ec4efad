import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../src/db/backup.js';
import { createTestApp, createTestAppWith, signIn, type TestApp } from '../helpers/app.js';
import { testStore } from '../helpers/store.js';
import { createTicket } from '../helpers/tickets.js';

let t: TestApp;
afterEach(() => t.close());

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

function scrape(headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') {
  return t.app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress });
}

describe('GET /metrics', () => {
  // SQLite only: the database size is the SQLite file's.
  it.skipIf(testStore === 'postgres')(
    'answers this machine in the Prometheus text format, with counts and no names or titles',
    async () => {
      t = await createTestAppWith({ zelda: { name: 'Zelda Quuxley', role: 'admin' } });
      const browser = await signIn(t.app, 'zelda');
      const number = await createTicket(browser, {
        title: 'Flooded server closet Xyzzy',
        description: 'Client 4411 called about the closet',
      });
      await browser.get(`/tickets/${number}`);
      await browser.get('/no/such/page/Xyzzy');

      const response = await scrape();
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = response.body;
      expect(body).toMatch(
        /hushdesk_http_requests_total\{route="\/tickets\/:\w+",method="GET",status="200"\} 1/,
      );
      expect(body).toMatch(
        /hushdesk_http_requests_total\{route="\/tickets",method="POST",status="303"\} 1/,
      );
      expect(body).toMatch(
        /hushdesk_http_requests_total\{route="unmatched",method="GET",status="404"\} 1/,
      );
      expect(body).toMatch(
        /hushdesk_http_request_duration_seconds_bucket\{le="0\.1",route="\/tickets\/:\w+",method="GET"\} \d/,
      );
      expect(body).toMatch(/^hushdesk_outbox_queued \d+$/m);
      expect(body).toMatch(/^hushdesk_outbox_dead 0$/m);
      expect(body).toMatch(/^hushdesk_sessions_active 1$/m);
      expect(body).toMatch(/^hushdesk_database_bytes [1-9]\d+$/m);
      expect(body).toMatch(/^hushdesk_backup_age_seconds NaN$/im);
      // Nothing that names a person, a ticket's title or what was typed.
      for (const secret of [
        'Xyzzy',
        'Zelda',
        'zelda',
        'Quuxley',
        'Flooded',
        '4411',
        `/tickets/${number}"`,
      ]) {
        expect(body, secret).not.toContain(secret);
      }
    },
  );

  // SQLite only: backups are of the SQLite file (PostgreSQL: pg_dump).
  it.skipIf(testStore === 'postgres')('reports the age of the newest backup', async () => {
    t = await createTestApp();
    await backupDatabase(t.dataDir, join(t.dataDir, 'backups-made-elsewhere.db'));
    expect((await scrape()).body).toMatch(/^hushdesk_backup_age_seconds NaN$/im);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(t.dataDir, 'backups'));
    await backupDatabase(t.dataDir, join(t.dataDir, 'backups', 'hushdesk-20261127T150000Z.db'));
    expect((await scrape()).body).toMatch(/^hushdesk_backup_age_seconds -?\d/m);
  });

  it('refuses other machines, and requests that came through a proxy, without the token', async () => {
    t = await createTestApp();
    const away = await scrape({}, '203.0.113.9');
    expect(away.statusCode).toBe(403);
    expect(away.body).not.toContain('hushdesk_');
    const proxied = await scrape({ 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.statusCode).toBe(403);
    // No token configured: a bearer header opens nothing, even here.
    expect((await scrape({ authorization: `Bearer ${TOKEN}` })).statusCode).toBe(401);
  });

  it('answers another machine that bears METRICS_TOKEN, and refuses a wrong one', async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN });
    const right = await scrape({ authorization: `Bearer ${TOKEN}` }, '203.0.113.9');
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('hushdesk_outbox_queued');
    const wrong = await scrape({ authorization: `Bearer ${TOKEN}x` }, '203.0.113.9');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('hushdesk_');
    expect((await scrape({ authorization: `Basic ${TOKEN}` })).statusCode).toBe(401);
  });

  it('refuses a METRICS_TOKEN too short to be a secret', async () => {
    await expect(createTestApp({ METRICS_TOKEN: 'short' })).rejects.toThrow(
      'METRICS_TOKEN: accepts 32 or more printable characters',
    );
    t = await createTestApp();
  });
});
