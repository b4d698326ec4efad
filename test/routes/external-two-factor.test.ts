import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/auth/totp.js';
import { setSetting } from '../../src/repositories/settings.js';
import { Browser, createTestAppWith, PASSWORD, signIn, type TestApp } from '../helpers/app.js';

/** External support reads PHI from outside the agency: two-step sign-in applies to it too. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestAppWith({
    desk: { name: 'Desk One', role: 'external' },
    desk2: { name: 'Desk Two', role: 'external' },
  });
});
afterAll(() => t.close());

const codeFor = (secret: string) => totpCode(secret, totpStep(t.clock.now()));

async function passwordOnly(username: string): Promise<Browser> {
  const browser = new Browser(t.app);
  await browser.get('/sign-in');
  const response = await browser.post('/sign-in', { username, password: PASSWORD });
  expect(response.statusCode).toBe(303);
  return browser;
}

describe('External support and two-step sign-in', () => {
  let secret = '';

  it('can enrol from its profile', async () => {
    const desk = await signIn(t.app, 'desk');
    const page = await desk.get('/profile/two-factor');
    expect(page.statusCode).toBe(200);
    expect((await desk.post('/profile/two-factor/start')).statusCode).toBe(303);
    const pending = await desk.get('/profile/two-factor');
    secret = (/class="secret"><code>([A-Z2-7 ]+)<\/code>/.exec(pending.body)?.[1] ?? '').replace(
      /\s/g,
      '',
    );
    expect(secret).not.toBe('');
    const done = await desk.post('/profile/two-factor/confirm', { code: codeFor(secret) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('recovery codes');
    t.clock.advance(30_000);
  });

  it('then signs in with a code, and gets nothing with the password alone', async () => {
    const browser = await passwordOnly('desk');
    const home = await browser.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toMatch(/^\/sign-in/);
    await browser.get('/sign-in/two-factor');
    const passed = await browser.post('/sign-in/two-factor', { code: codeFor(secret) });
    expect(passed.statusCode).toBe(303);
    expect((await browser.get('/')).statusCode).toBe(200);
    t.clock.advance(30_000);
  });

  it('when the agency requires it, an External account without it is taken to set it up', async () => {
    await setSetting(t.app.db, 'require_two_factor', true, null, t.clock.now());
    const browser = await signIn(t.app, 'desk2').catch(() => passwordOnly('desk2'));
    const home = await browser.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/profile/two-factor');
    const enrol = await browser.get('/profile/two-factor');
    expect(enrol.statusCode).toBe(200);
    expect(enrol.body).toContain('action="/profile/two-factor/start"');
    // Other pages stay closed to External support, as before.
    expect((await browser.get('/staff')).statusCode).toBe(403);
  });
});
