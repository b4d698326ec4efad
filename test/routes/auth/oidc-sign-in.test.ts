import { describe, expect, it } from 'vitest';
import { setSetting } from '../../../src/repositories/settings.js';
import { addStaff, Browser, signIn } from '../../helpers/app.js';
import { BASE, CALLBACK, useOidcWorld } from '../../helpers/oidc.js';
import { signInAtProvider } from '../../helpers/oidc-provider.js';

/** Signing in through the provider: who gets in, who is refused, and signing out. */
const w = useOidcWorld({ saved: true });

describe('sign-in through the provider', () => {
  it('signs a known person in: a normal session, audited, subject remembered', async () => {
    const { browser, answer, authorization } = await w.ssoRound('ann');
    // Authorization code flow with PKCE, state and nonce.
    expect(authorization.searchParams.get('response_type')).toBe('code');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/tickets');
    expect((await browser.get('/')).statusCode).toBe(200);
    const audit = await w.lastAudit();
    expect(audit).toMatchObject({
      action: 'sign-in',
      actor: 'Ann Lee (ann)',
      detail: 'through Test IdP',
    });
    const identity = await w.t.app.db
      .selectFrom('staff_sso_identities')
      .selectAll()
      .where('subject', '=', 'ann')
      .executeTakeFirstOrThrow();
    expect(identity.issuer).toBe(w.provider.issuer);

    // The same idle timeout as any session.
    w.t.clock.advanceMinutes(16);
    const idle = await browser.get('/');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toMatch(/^\/sign-in/);
  });

  it('finds the person by the remembered subject when the provider’s email changes', async () => {
    w.provider.accounts.set('ann', {
      email: 'ann.lee@elsewhere.example',
      name: 'Ann Lee',
    });
    try {
      const { answer } = await w.ssoRound('ann');
      expect(answer.statusCode).toBe(303);
      expect((await w.lastAudit()).actor).toBe('Ann Lee (ann)');
    } finally {
      w.provider.accounts.set('ann', { email: 'ann@example.org', name: 'Ann Lee' });
    }
  });

  it('matches the email whatever its case', async () => {
    const { answer } = await w.ssoRound('bea');
    expect(answer.statusCode).toBe(303);
    expect((await w.lastAudit()).actor).toBe('Bea Cole (bea)');
  });

  it('does not ask hushdesk’s own second factor, even when it is required for everyone', async () => {
    await setSetting(w.t.app.db, 'require_two_factor', true, null, w.t.app.now());
    try {
      const { browser, answer } = await w.ssoRound('ann');
      expect(answer.headers.location).toBe('/tickets');
      expect((await browser.get('/tickets')).statusCode).toBe(200);
      // A password session of the same person is still taken to set it up.
      const withPassword = await signIn(w.t.app, 'bea');
      const page = await withPassword.get('/profile');
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toMatch(/^\/profile\/two-factor/);
    } finally {
      await setSetting(w.t.app.db, 'require_two_factor', false, null, w.t.app.now());
    }
  });

  it('refuses a person with no account, clearly, and records it', async () => {
    const { browser, answer } = await w.ssoRound('zed');
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toContain('ask your administrator to add you');
    expect(browser.hasCookie('hushdesk')).toBe(false);
    expect(await w.lastAudit()).toMatchObject({
      action: 'sso-sign-in-refused',
      detail: 'no account for zed@example.org',
    });
  });

  it('refuses a deactivated person though the provider says yes', async () => {
    const { browser, answer } = await w.ssoRound('dee');
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toContain('Your hushdesk account is deactivated');
    expect(browser.hasCookie('hushdesk')).toBe(false);
    expect(await w.lastAudit()).toMatchObject({
      action: 'sso-sign-in-refused',
      actor: 'Dee Park (dee)',
      detail: 'deactivated',
    });
  });

  it('refuses an email the provider has not verified', async () => {
    await addStaff(w.t.app, 'una');
    const { answer } = await w.ssoRound('una');
    expect(answer.statusCode).toBe(403);
    expect(await w.lastAudit()).toMatchObject({
      action: 'sso-sign-in-refused',
      detail: 'unverified',
    });
  });

  it.each([
    ['a tampered state', { callback: (u: URL) => u.searchParams.set('state', 'forged') }, null],
    [
      'a wrong nonce',
      { authorization: (u: URL) => u.searchParams.set('nonce', 'not-the-one-we-sent') },
      null,
    ],
    [
      'an expired ID token',
      {},
      {
        claims: (c: Record<string, unknown>) => {
          c.exp = Math.floor(Date.now() / 1000) - 3600;
          c.iat = Math.floor(Date.now() / 1000) - 7200;
        },
      },
    ],
    ['an ID token signed with another key', {}, { foreignKey: true }],
    [
      'an ID token for another audience',
      {},
      {
        claims: (c: Record<string, unknown>) => {
          c.aud = 'some-other-app';
        },
      },
    ],
    [
      'an ID token from another issuer',
      {},
      {
        claims: (c: Record<string, unknown>) => {
          c.iss = 'https://idp.attacker.example';
        },
      },
    ],
  ] as const)('refuses %s', async (_what, change, tamper) => {
    w.provider.tamper = tamper;
    const { browser, answer } = await w.ssoRound('ann', change);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toContain('Sign-in through Test IdP did not work');
    expect(browser.hasCookie('hushdesk')).toBe(false);
    const audit = await w.lastAudit();
    expect(audit.action).toBe('sso-sign-in-failed');
    expect(audit.staff_id).toBeNull();
  });

  it('takes a callback once: a replayed one finds no sign-in in progress', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    const start = await browser.get('/sign-in/sso?next=%2F');
    const back = new URL(await signInAtProvider(String(start.headers.location), 'ann', CALLBACK));
    expect((await browser.get(back.pathname + back.search)).statusCode).toBe(303);
    const again = await new Browser(w.t.app).get(back.pathname + back.search);
    expect(again.statusCode).toBe(400);
    expect(await w.lastAudit()).toMatchObject({
      action: 'sso-sign-in-failed',
      detail: 'no sign-in in progress, or it expired',
    });
  });

  it('offers the provider’s sign-out after signing out of hushdesk', async () => {
    const { browser } = await w.ssoRound('ann');
    await browser.get('/');
    const out = await browser.post('/sign-out');
    expect(out.headers.location).toBe('/sign-in?signed-out=1');
    expect((await browser.get('/')).statusCode).toBe(303);
    const page = await browser.get('/sign-in?signed-out=1');
    expect(page.body).toContain('Sign out of Test IdP too');
    const provider_ = await browser.get('/sign-out/sso');
    const end = new URL(String(provider_.headers.location));
    expect(end.origin).toBe(w.provider.issuer);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/sign-in?signed-out=1`);
    // Offered once: the hint is gone.
    expect((await browser.get('/sign-in?signed-out=1')).body).not.toContain(
      'Sign out of Test IdP too',
    );
  });
});
