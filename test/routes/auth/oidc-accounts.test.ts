import { describe, expect, it } from 'vitest';
import { Browser, signIn } from '../../helpers/app.js';
import { useOidcWorld } from '../../helpers/oidc.js';

/** Accounts made at first sign-in, and single sign-on required for everyone. */
const w = useOidcWorld({ saved: true });

describe('accounts made at first sign-in, and single sign-on required', () => {
  it('makes an account with the default role for the chosen domain only', async () => {
    const staffRole = await w.t.app.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'staff')
      .executeTakeFirstOrThrow();
    const saved = await w.admin.post(
      '/settings/sign-in',
      w.settingsForm({
        client_secret: '',
        create_domain: '@NewHires.org',
        create_role_id: String(staffRole.id),
      }),
    );
    expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    const { answer } = await w.ssoRound('noa');
    expect(answer.statusCode).toBe(303);
    const made = await w.t.app.db
      .selectFrom('staff')
      .selectAll()
      .where('email', '=', 'noa.new@newhires.org')
      .executeTakeFirstOrThrow();
    expect(made).toMatchObject({
      name: 'Noa New',
      username: 'noa.new',
      role_id: staffRole.id,
      active: 1,
      password_hash: null,
    });
    expect(await w.lastAudit()).toMatchObject({ action: 'sign-in', actor: 'Noa New (noa.new)' });
    // Someone from another domain is still refused.
    expect((await w.ssoRound('zed')).answer.statusCode).toBe(403);
  });

  it('turns passwords off for everyone but the break-glass administrator', async () => {
    const ann = await w.t.app.db
      .selectFrom('staff')
      .select('id')
      .where('username', '=', 'ann')
      .executeTakeFirstOrThrow();
    const saved = await w.admin.post(
      '/settings/sign-in',
      w.settingsForm({ client_secret: '', required: 'on', break_glass_staff_id: String(ann.id) }),
    );
    expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    const page = await new Browser(w.t.app).get('/sign-in');
    expect(page.body).toContain('Passwords are turned off here');

    const bea = new Browser(w.t.app);
    await bea.get('/sign-in');
    const refused = await bea.post('/sign-in', {
      username: 'bea',
      password: 'correct horse battery staple',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Sign in with Test IdP');
    expect(bea.hasCookie('hushdesk')).toBe(false);
    // The break-glass administrator still gets in with a password.
    await expect(signIn(w.t.app, 'ann')).resolves.toBeInstanceOf(Browser);
    // And single sign-on still works for everyone.
    expect((await w.ssoRound('bea')).answer.statusCode).toBe(303);
  });
});
