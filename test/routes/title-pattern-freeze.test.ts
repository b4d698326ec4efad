import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecuritySettings } from '../../src/repositories/security-settings.js';
import { type Browser, createTestAppWith, signIn, type TestApp } from '../helpers/app.js';

/**
 * An agency pattern that makes a backtracking engine take exponential time must
 * not freeze the server: saved through Settings → Security, then met by a long
 * title in the ticket window and the API, while a monitor asks /healthz.
 */
let t: TestApp;
let ann: Browser;
let token = '';
const PATTERNS = ['(a|a)+b', '(\\w+\\s?)+$x', '(a|aa)+b'];
const TITLE = `${'a'.repeat(149)}c`;

beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Ann Lee', role: 'admin' } });
  ann = await signIn(t.app, 'ann');
  await ann.get('/settings/security');
  const saved = await ann.post('/settings/security', {
    title_patterns: PATTERNS.join('\n'),
    audit_retention_years: '6',
  });
  expect(saved.statusCode).toBe(303);
  expect((await getSecuritySettings(t.app.db)).titlePatterns).toEqual(PATTERNS);
  await ann.get('/settings/api-tokens');
  const made = await ann.post('/settings/api-tokens', { name: 'nightly import' });
  token = /value="(hd_[A-Za-z0-9_-]{43})"/.exec(made.body)?.[1] ?? '';
  expect(token).not.toBe('');
});
afterAll(() => t.close());

/** Sends `work` and a /healthz request together; how long the health check took. */
async function healthWhile<T>(work: () => Promise<T>): Promise<{ result: T; healthMs: number }> {
  const started = performance.now();
  const health = t.app.inject({ method: 'GET', url: '/healthz' }).then((r) => {
    expect(r.statusCode).toBe(200);
    return performance.now() - started;
  });
  const [result, healthMs] = await Promise.all([work(), health]);
  return { result, healthMs };
}

describe('agency title patterns under a crafted title', () => {
  it('the ticket window answers, and /healthz with it', async () => {
    await ann.get('/tickets/new');
    const { result, healthMs } = await healthWhile(() =>
      ann.post('/tickets', {
        title: TITLE,
        due_date: '',
        priority: 'none',
        description: '',
        assignee: 'self',
      }),
    );
    expect(result.statusCode).toBe(303);
    // Generous for a shared machine; the backtracking engine took 18 s on 31 characters.
    expect(healthMs).toBeLessThan(2000);
  });

  it('the API answers, and /healthz with it', async () => {
    const { result, healthMs } = await healthWhile(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: { title: `${'a'.repeat(149)}b` },
      }),
    );
    // The title does match (a|a)+b: refused, in time.
    expect(result.statusCode).toBe(422);
    expect(healthMs).toBeLessThan(2000);
  });
});
