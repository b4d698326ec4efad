import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createTestAppWith, PASSWORD, signIn, type TestApp } from '../helpers/app.js';

const NEW_PASSWORD = 'lantern orchard mosaic';

let t: TestApp;

beforeAll(async () => {
  t = await createTestAppWith({ bo: { name: 'Bo Chen', department: 'Billing', role: 'champion' } });
});
afterAll(() => t.close());

async function canSignIn(username: string, password: string): Promise<boolean> {
  const browser = new Browser(t.app);
  await browser.get('/sign-in');
  return (await browser.post('/sign-in', { username, password })).statusCode === 303;
}

describe('the profile page', () => {
  it('shows who the person is and links to their other settings', async () => {
    const bo = await signIn(t.app, 'bo');
    const page = await bo.get('/profile');
    expect(page.statusCode).toBe(200);
    for (const fact of ['Bo Chen', 'bo', 'bo@example.org', 'Champion', 'Billing']) {
      expect(page.body).toContain(`<dd>${fact}</dd>`);
    }
    expect(page.body).toContain('href="/profile/notifications"');
    expect(page.body).toContain('href="/profile/two-factor"');
    expect(page.body).toMatch(/href="\/profile" aria-current=page/);
  });
});

describe('changing one’s own password', () => {
  it('refuses a wrong current password beside its field, and changes nothing', async () => {
    const bo = await signIn(t.app, 'bo');
    await bo.get('/profile');
    const response = await bo.post('/profile/password', {
      current: 'not my password',
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="current-error">That is not your current password/);
    expect(response.body).toMatch(/id="current"[^>]*aria-invalid=true/);
    // Passwords are never written back into the page.
    expect(response.body).not.toContain('not my password');
    expect(response.body).not.toContain(NEW_PASSWORD);
    // The rest of the page is all there for another try.
    expect(response.body).toContain('<dd>Bo Chen</dd>');
    expect(await canSignIn('bo', PASSWORD)).toBe(true);
    const failed = await t.app.db
      .selectFrom('audit_log')
      .select('actor')
      .where('action', '=', 'password-change-failed')
      .execute();
    expect(failed).toEqual([{ actor: 'Bo Chen (bo)' }]);
  });

  it('applies the password rules and wants the new one twice', async () => {
    const bo = await signIn(t.app, 'bo');
    await bo.get('/profile');
    const weak = await bo.post('/profile/password', {
      current: PASSWORD,
      password: 'short',
      confirm: 'short',
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toMatch(/id="password-error">Use at least 8 characters/);
    const same = await bo.post('/profile/password', {
      current: PASSWORD,
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(same.body).toMatch(/id="password-error">Choose a password different/);
    const differ = await bo.post('/profile/password', {
      current: PASSWORD,
      password: NEW_PASSWORD,
      confirm: 'lantern orchard',
    });
    expect(differ.statusCode).toBe(422);
    expect(differ.body).toMatch(/id="confirm-error">The two passwords differ/);
    expect(await canSignIn('bo', PASSWORD)).toBe(true);
  });

  it('changes it: the old one stops working, other sessions end, this one carries on', async () => {
    const elsewhere = await signIn(t.app, 'bo');
    const bo = await signIn(t.app, 'bo');
    await bo.get('/profile');
    const response = await bo.post('/profile/password', {
      current: PASSWORD,
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/profile?password-changed=1');
    const after = await bo.get(response.headers.location as string);
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Password changed.');
    const other = await elsewhere.get('/');
    expect(other.statusCode).toBe(303);
    expect(other.headers.location).toMatch(/^\/sign-in/);
    expect(await canSignIn('bo', PASSWORD)).toBe(false);
    expect(await canSignIn('bo', NEW_PASSWORD)).toBe(true);
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select(['actor', 'at'])
      .where('action', '=', 'password-changed')
      .execute();
    expect(audit).toEqual([{ actor: 'Bo Chen (bo)', at: t.app.now().toISOString() }]);
  });
});
