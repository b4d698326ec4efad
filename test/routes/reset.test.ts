import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.js';
import { addStaff, Browser, PASSWORD, signIn, useAdminApp } from '../helpers/app.js';
import { staffId } from '../helpers/db.js';

const NEW_PASSWORD = 'lantern orchard mosaic';

const w = useAdminApp();

/** Makes a link as the administrator does, and returns its path. */
async function makeLink(username: string): Promise<string> {
  const id = await staffId(w.t.app, username);
  // The test clock moves by hours; the administrator signs in afresh each time.
  w.admin = await signIn(w.t.app, 'ann');
  await w.admin.get(`/staff/${id}`);
  const response = await w.admin.post(`/staff/${id}/password-link`);
  expect(response.statusCode).toBe(200);
  const link = /id="link" class="wide" value="([^"]+)"/.exec(response.body)?.[1];
  if (!link) throw new Error('no link on the page');
  expect(link.startsWith(`${w.t.config.baseUrl}/reset/`)).toBe(true);
  return new URL(link).pathname;
}

async function canSignIn(username: string, password: string): Promise<boolean> {
  const browser = new Browser(w.t.app);
  await browser.get('/sign-in');
  return (await browser.post('/sign-in', { username, password })).statusCode === 303;
}

describe('a password link', () => {
  it('sets a new password once; the old one stops working and sessions end', async () => {
    await addStaff(w.t.app, 'bo', { name: 'Bo Chen' });
    const session = await signIn(w.t.app, 'bo');
    const path = await makeLink('bo');

    const stored = await w.t.app.db.selectFrom('password_reset_tokens').selectAll().execute();
    const token = path.split('/').pop() as string;
    expect(stored.map((r) => r.token_hash)).toEqual([hashToken(token)]);
    expect(JSON.stringify(stored)).not.toContain(token);

    const person = new Browser(w.t.app);
    const form = await person.get(path);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Bo Chen');

    const weak = await person.post(path, { password: 'password1', confirm: 'password1' });
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toMatch(/id="password-error">That password is on a list/);
    expect(weak.body).not.toContain('password1"');
    const differ = await person.post(path, { password: NEW_PASSWORD, confirm: 'something else' });
    expect(differ.statusCode).toBe(422);
    expect(differ.body).toMatch(/id="confirm-error">The two passwords differ/);

    const done = await person.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/sign-in');

    expect(await canSignIn('bo', PASSWORD)).toBe(false);
    expect(await canSignIn('bo', NEW_PASSWORD)).toBe(true);
    const before = await session.get('/');
    expect(before.statusCode).toBe(303);
    expect(before.headers.location).toMatch(/^\/sign-in/);

    expect((await person.get(path)).statusCode).toBe(410);
    const reused = await person.post(path, { password: PASSWORD, confirm: PASSWORD });
    expect(reused.statusCode).toBe(410);
    expect(reused.body).toContain('Password links work once and for 24 hours');
    expect(await canSignIn('bo', NEW_PASSWORD)).toBe(true);

    const audit = await w.t.app.db
      .selectFrom('audit_log')
      .select(['action', 'actor', 'detail'])
      .where('action', 'in', ['password-link-created', 'password-reset'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        action: 'password-link-created',
        actor: 'Ann Lee (ann)',
        detail: 'Password link for Bo Chen (bo), valid 24 hours',
      },
      { action: 'password-reset', actor: 'Bo Chen (bo)', detail: 'Password set with a link' },
    ]);
  });

  it('lets a newly added person set their first password', async () => {
    const id = await staffId(w.t.app, 'ann');
    expect(id).toBeGreaterThan(0);
    await w.admin.get('/staff/new');
    const roles = await w.t.app.db.selectFrom('roles').select(['id', 'key']).execute();
    await w.admin.post('/staff', {
      name: 'Cy Diaz',
      username: 'cy',
      email: 'cy@example.org',
      department: '',
      roleId: String(roles.find((r) => r.key === 'staff')?.id),
    });
    expect(await canSignIn('cy', '')).toBe(false);
    const path = await makeLink('cy');
    const person = new Browser(w.t.app);
    await person.get(path);
    await person.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(await canSignIn('cy', NEW_PASSWORD)).toBe(true);
  });

  it('works until 24 hours have passed, and not after', async () => {
    await addStaff(w.t.app, 'di', { name: 'Di Evans' });
    const stillGood = await makeLink('di');
    w.t.clock.advanceMinutes(24 * 60 - 1);
    expect((await new Browser(w.t.app).get(stillGood)).statusCode).toBe(200);

    const expiring = await makeLink('di');
    w.t.clock.advanceMinutes(24 * 60);
    const person = new Browser(w.t.app);
    expect((await person.get(expiring)).statusCode).toBe(410);
    await person.get('/sign-in');
    expect(
      (await person.post(expiring, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode,
    ).toBe(410);
    expect(await canSignIn('di', PASSWORD)).toBe(true);
  });

  it('stops working when a newer link is made, or the person is deactivated', async () => {
    await addStaff(w.t.app, 'eve', { name: 'Eve Fox' });
    const first = await makeLink('eve');
    const second = await makeLink('eve');
    expect((await new Browser(w.t.app).get(first)).statusCode).toBe(410);
    expect((await new Browser(w.t.app).get(second)).statusCode).toBe(200);

    const id = await staffId(w.t.app, 'eve');
    await w.admin.get(`/staff/${id}/deactivate`);
    await w.admin.post(`/staff/${id}/deactivate`);
    expect((await new Browser(w.t.app).get(second)).statusCode).toBe(410);
    const refused = await w.admin.post(`/staff/${id}/password-link`);
    expect(refused.statusCode).toBe(409);
  });

  it('works in a browser that is signed in as someone else', async () => {
    await addStaff(w.t.app, 'fay', { name: 'Fay Gill' });
    const path = await makeLink('fay');
    await w.admin.get(path);
    const done = await w.admin.post(path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.statusCode).toBe(303);
    expect(await canSignIn('fay', NEW_PASSWORD)).toBe(true);
  });

  it('is refused for a made-up token', async () => {
    expect((await new Browser(w.t.app).get('/reset/not-a-real-token')).statusCode).toBe(410);
  });
});
