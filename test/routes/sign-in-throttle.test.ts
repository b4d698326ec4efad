import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIR_RULE } from '../../src/auth/sign-in-throttle.js';
import { addStaff, Browser, createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const name of ['ann', 'bo', 'cy', 'di']) await addStaff(t.app, name);
});
afterAll(() => t.close());

/** A browser at an address of its own, on the sign-in form. */
async function browserAt(address: string): Promise<Browser> {
  const browser = new Browser(t.app);
  const original = browser.request.bind(browser);
  browser.request = (options) => original({ ...options, remoteAddress: address });
  await browser.get('/sign-in');
  return browser;
}

describe('sign-in throttle', () => {
  it('counts attempts sent together: 50 at once, then the right password waits', async () => {
    const browser = await browserAt('203.0.113.5');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        browser.post('/sign-in', { username: 'bo', password: `wrong guess ${i}` }),
      ),
    );
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c !== 401 && c !== 429)).toEqual([]);
    // Only the free tries may have been checked at all; the rest were refused unchecked.
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(PAIR_RULE.free);

    const right = await browser.post('/sign-in', { username: 'bo', password: PASSWORD });
    expect(right.statusCode).toBe(429);
    const wait = Number(right.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    // Hammering during the wait is refused and does not lengthen it.
    for (let i = 0; i < 10; i++) {
      t.clock.advance(((wait * 1000) / 10) * 0.9);
      const early = await browser.post('/sign-in', { username: 'bo', password: PASSWORD });
      expect(early.statusCode).toBe(429);
    }
    t.clock.advance(wait * 1000);
    const later = await browser.post('/sign-in', { username: 'bo', password: PASSWORD });
    expect(later.statusCode).toBe(303);
  });

  it('a burst against one person from one address leaves them free elsewhere', async () => {
    const attacker = await browserAt('198.51.100.7');
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        attacker.post('/sign-in', { username: 'cy', password: `wrong guess ${i}` }),
      ),
    );
    expect(
      (await attacker.post('/sign-in', { username: 'cy', password: PASSWORD })).statusCode,
    ).toBe(429);
    const atHome = await browserAt('192.0.2.44');
    expect((await atHome.post('/sign-in', { username: 'cy', password: PASSWORD })).statusCode).toBe(
      303,
    );
  });

  it('one noisy machine does not lock out the colleagues who share its address', async () => {
    const office = '192.0.2.10';
    // Ann signed in from the office before.
    expect(
      (await (await browserAt(office)).post('/sign-in', { username: 'ann', password: PASSWORD }))
        .statusCode,
    ).toBe(303);
    const noisy = await browserAt(office);
    for (let i = 0; i < 40; i++) {
      await noisy.post('/sign-in', { username: `guess${i}`, password: 'not a password' });
    }
    // Unknown names from that address now wait …
    expect(
      (await noisy.post('/sign-in', { username: 'somebody', password: 'not a password' }))
        .statusCode,
    ).toBe(429);
    // … while a colleague who signs in from there keeps signing in.
    const colleague = await browserAt(office);
    expect(
      (await colleague.post('/sign-in', { username: 'ann', password: PASSWORD })).statusCode,
    ).toBe(303);
  });

  it('refuses more than two attempts at once for one username, counting them', async () => {
    const browser = await browserAt('203.0.113.99');
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        browser.post('/sign-in', { username: 'di', password: 'nope nope' }),
      ),
    );
    const busy = answers.filter((a) => a.body.includes('Too many sign-ins at once'));
    expect(busy.length).toBeGreaterThanOrEqual(2);
    for (const a of busy) {
      expect(a.statusCode).toBe(429);
      expect(a.headers['retry-after']).toBe('1');
    }
    t.clock.advance(60 * 60_000);
  });
});
