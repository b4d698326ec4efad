import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createTestAppWith, PASSWORD, signIn, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Ann Lee', role: 'admin' } });
});
afterAll(() => t.close());

describe('CSRF', () => {
  it('refuses a signed-in POST without a token with 403, and changes nothing', async () => {
    const browser = await signIn(t.app, 'ann');
    const before = await t.app.db.selectFrom('sessions').select('id').execute();
    const response = await browser.post('/sign-out', { _csrf: '' });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
    const after = await t.app.db.selectFrom('sessions').select('id').execute();
    expect(after.length).toBe(before.length);
  });

  it('refuses a token from another session', async () => {
    const mine = await signIn(t.app, 'ann');
    const theirs = await signIn(t.app, 'ann');
    const response = await mine.post('/sign-out', { _csrf: theirs.csrf });
    expect(response.statusCode).toBe(403);
  });

  it('accepts the token as the header htmx sends', async () => {
    const browser = await signIn(t.app, 'ann');
    const response = await browser.htmx('POST', '/sign-out');
    expect(response.statusCode).toBe(303);
  });

  it('protects the sign-in form too', async () => {
    const browser = new Browser(t.app);
    await browser.get('/sign-in');
    const response = await browser.post('/sign-in', {
      username: 'ann',
      password: PASSWORD,
      _csrf: 'forged',
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('security headers', () => {
  it('are on every response, with no-store on signed-in pages', async () => {
    const browser = await signIn(t.app, 'ann');
    const page = await browser.get('/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers.vary).toContain('HX-Request');

    for (const url of ['/sign-in', '/healthz', '/static/css/app.css', '/nowhere']) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.headers['content-security-policy'], url).toBeDefined();
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('serves htmx from the app itself', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/vendor/htmx/htmx.min.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/javascript/);
    const other = await t.app.inject({ method: 'GET', url: '/vendor/htmx/htmx.esm.js' });
    expect(other.statusCode).toBe(404);
  });
});

describe('health', () => {
  it('answers without signing in and without data', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', outbox: { queued: 0, oldestQueuedSeconds: 0 } });
  });
});
