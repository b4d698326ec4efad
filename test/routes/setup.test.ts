import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSetupLink } from '../../src/staff/setup.js';
import { Browser, createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const admin = {
  name: 'Ann Lee',
  username: 'ann',
  email: 'ann@example.org',
  department: 'Billing',
  password: PASSWORD,
  confirm: PASSWORD,
};

function pathOf(link: string | null): string {
  if (!link) throw new Error('no setup link');
  return new URL(link).pathname;
}

describe('first-run setup link', () => {
  it('creates the first administrator, signed in, and works only once', async () => {
    const path = pathOf(await createSetupLink(t.app.db, t.config.baseUrl, t.app.now()));
    const browser = new Browser(t.app);
    expect((await browser.get(path)).statusCode).toBe(200);
    const created = await browser.post(path, admin);
    expect(created.statusCode).toBe(303);
    const home = await browser.get(created.headers.location as string);
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Welcome, Ann Lee');
    const staff = await t.app.db
      .selectFrom('staff')
      .innerJoin('roles', 'roles.id', 'staff.role_id')
      .select(['staff.username', 'roles.key'])
      .execute();
    expect(staff).toEqual([{ username: 'ann', key: 'admin' }]);

    const again = new Browser(t.app);
    expect((await again.get(path)).statusCode).toBe(410);
    await again.get('/sign-in'); // a form token, so the refusal below is the link's, not CSRF's
    expect((await again.post(path, { ...admin, username: 'mallory' })).statusCode).toBe(410);
  });

  it('expires after an hour', async () => {
    const path = pathOf(await createSetupLink(t.app.db, t.config.baseUrl, t.app.now()));
    t.clock.advanceMinutes(61);
    const browser = new Browser(t.app);
    const response = await browser.get(path);
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('Setup links work once and for one hour');
  });

  it('is not made once anyone exists', async () => {
    const path = pathOf(await createSetupLink(t.app.db, t.config.baseUrl, t.app.now()));
    const browser = new Browser(t.app);
    await browser.get(path);
    await browser.post(path, admin);
    expect(await createSetupLink(t.app.db, t.config.baseUrl, t.app.now())).toBeNull();
  });

  it('keeps what was typed and says what is wrong beside each field', async () => {
    const path = pathOf(await createSetupLink(t.app.db, t.config.baseUrl, t.app.now()));
    const browser = new Browser(t.app);
    await browser.get(path);
    const response = await browser.post(path, {
      ...admin,
      email: 'not-an-email',
      password: 'password123',
      confirm: 'password123',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('value="Ann Lee"');
    expect(response.body).toContain('value="not-an-email"');
    expect(response.body).toMatch(/id="email-error">Enter an email address/);
    expect(response.body).toMatch(/id="password-error">That password is on a list/);
    // The link still works after a mistake.
    expect((await browser.post(path, admin)).statusCode).toBe(303);
  });
});
