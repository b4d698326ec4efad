import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setSetting } from '../../../src/repositories/settings.js';
import {
  addStaff,
  Browser,
  createTestApp,
  createTestAppWith,
  signIn,
  type TestApp,
} from '../../helpers/app.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  signInAtProvider,
  TestProvider,
} from '../../helpers/oidc-provider.js';
import { testStore } from '../../helpers/store.js';

const BASE = 'http://localhost:3000';
const CALLBACK = `${BASE}/sign-in/sso/callback`;

let t: TestApp;
let provider: TestProvider;
let admin: Browser;

beforeAll(async () => {
  provider = await TestProvider.start([CALLBACK], [`${BASE}/sign-in?signed-out=1`]);
  provider.accounts.set('ann', { email: 'ann@example.org', name: 'Ann Lee' });
  provider.accounts.set('bea', { email: 'BEA@example.org' });
  provider.accounts.set('dee', { email: 'dee@example.org' });
  provider.accounts.set('zed', { email: 'zed@example.org' });
  provider.accounts.set('una', { email: 'una@example.org', email_verified: false });
  provider.accounts.set('noa', { email: 'noa.new@newhires.org', name: 'Noa New' });
  t = await createTestAppWith(
    { ann: { name: 'Ann Lee', role: 'admin' }, bea: { name: 'Bea Cole' } },
    { SSO_ALLOW_HTTP_LOOPBACK: 'on' },
  );
  const dee = await addStaff(t.app, 'dee', { name: 'Dee Park' });
  await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', dee.id).execute();
  admin = await signIn(t.app, 'ann');
});
afterAll(async () => {
  await t?.close();
  await provider?.close();
});
beforeEach(() => {
  provider.tamper = null;
});

const settingsForm = (extra: Record<string, string> = {}) => ({
  name: 'Test IdP',
  issuer: provider.issuer,
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
  enabled: 'on',
  break_glass_staff_id: '',
  create_domain: '',
  create_role_id: '',
  action: 'save',
  ...extra,
});

/** Starts at hushdesk's button, signs in at the provider, and returns hushdesk's answer. */
async function ssoRound(
  login: string,
  change: { authorization?: (u: URL) => void; callback?: (u: URL) => void } = {},
) {
  const browser = new Browser(t.app);
  const page = await browser.get('/sign-in');
  expect(page.body).toContain('Sign in with Test IdP');
  const start = await browser.get('/sign-in/sso?next=%2Ftickets');
  expect(start.statusCode).toBe(303);
  const authorization = new URL(String(start.headers.location));
  expect(authorization.origin).toBe(provider.issuer);
  change.authorization?.(authorization);
  const back = new URL(await signInAtProvider(authorization.href, login, CALLBACK));
  change.callback?.(back);
  const answer = await browser.get(back.pathname + back.search);
  return { browser, answer, authorization };
}

async function lastAudit() {
  return t.app.db
    .selectFrom('audit_log')
    .select(['action', 'actor', 'detail', 'staff_id'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

describe('Settings → Sign-in', () => {
  it('shows the redirect URL to register and refuses to turn on a provider that does not answer', async () => {
    const page = await admin.get('/settings/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CALLBACK);
    const refused = await admin.post(
      '/settings/sign-in',
      settingsForm({ issuer: 'http://127.0.0.1:9/nothing' }),
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      'The connection failed: its discovery document could not be read',
    );
    // What was typed is kept.
    expect(refused.body).toContain('value="http://127.0.0.1:9/nothing"');
    expect(await t.app.db.selectFrom('sso_provider').selectAll().execute()).toEqual([]);
  });

  it('checks each field and keeps what was typed', async () => {
    const bad = await admin.post(
      '/settings/sign-in',
      settingsForm({
        name: '',
        issuer: 'http://idp.example.org',
        client_id: '',
        required: 'on',
        create_domain: 'not a domain',
      }),
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="name-error"');
    expect(bad.body).toContain('Enter the issuer URL, starting with https://.');
    expect(bad.body).toContain('id="clientId-error"');
    expect(bad.body).toContain('id="breakGlassStaffId-error"');
    expect(bad.body).toContain('id="createDomain-error"');
    expect(bad.body).toContain('value="not a domain"');
  });

  it('tests the connection: discovery read and keys fetched', async () => {
    const tested = await admin.post('/settings/sign-in', settingsForm({ action: 'test' }));
    expect(tested.statusCode).toBe(200);
    expect(tested.body).toContain(
      'Connected: discovery document read, 1 signing key fetched; it offers sign-out too.',
    );
    expect(await t.app.db.selectFrom('sso_provider').selectAll().execute()).toEqual([]);
  });

  it('saves, keeps the client secret encrypted and nowhere in clear under DATA_DIR', async () => {
    const saved = await admin.post('/settings/sign-in', settingsForm());
    expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    const row = await t.app.db.selectFrom('sso_provider').selectAll().executeTakeFirstOrThrow();
    expect(row.client_secret).toMatch(/^v1:[0-9a-f]{16}:/);
    expect(t.app.phi.decrypt(row.client_secret)).toBe(CLIENT_SECRET);
    // The page never shows it again.
    expect((await admin.get('/settings/sign-in')).body).not.toContain(CLIENT_SECRET);
    // The bytes of the SQLite file and its WAL (PostgreSQL keeps no file in DATA_DIR).
    if (testStore === 'sqlite') {
      await t.app.db.executeQuery({
        sql: 'pragma wal_checkpoint(FULL)',
        parameters: [],
        query: undefined as never,
        queryId: undefined as never,
      });
      for (const file of readdirSync(t.dataDir)) {
        const bytes = readFileSync(join(t.dataDir, file));
        expect(bytes.includes(CLIENT_SECRET), file).toBe(false);
      }
    }
    const audit = await lastAudit();
    expect(audit.action).toBe('setting-changed');
    expect(audit.detail).toContain('client secret replaced');
    expect(audit.detail).not.toContain(CLIENT_SECRET);
  });
});

describe('sign-in through the provider', () => {
  it('signs a known person in: a normal session, audited, subject remembered', async () => {
    const { browser, answer, authorization } = await ssoRound('ann');
    // Authorization code flow with PKCE, state and nonce.
    expect(authorization.searchParams.get('response_type')).toBe('code');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/tickets');
    expect((await browser.get('/')).statusCode).toBe(200);
    const audit = await lastAudit();
    expect(audit).toMatchObject({
      action: 'sign-in',
      actor: 'Ann Lee (ann)',
      detail: 'through Test IdP',
    });
    const identity = await t.app.db
      .selectFrom('staff_sso_identities')
      .selectAll()
      .where('subject', '=', 'ann')
      .executeTakeFirstOrThrow();
    expect(identity.issuer).toBe(provider.issuer);

    // The same idle timeout as any session.
    t.clock.advanceMinutes(16);
    const idle = await browser.get('/');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toMatch(/^\/sign-in/);
  });

  it('finds the person by the remembered subject when the provider’s email changes', async () => {
    provider.accounts.set('ann', {
      email: 'ann.lee@elsewhere.example',
      name: 'Ann Lee',
    });
    try {
      const { answer } = await ssoRound('ann');
      expect(answer.statusCode).toBe(303);
      expect((await lastAudit()).actor).toBe('Ann Lee (ann)');
    } finally {
      provider.accounts.set('ann', { email: 'ann@example.org', name: 'Ann Lee' });
    }
  });

  it('matches the email whatever its case', async () => {
    const { answer } = await ssoRound('bea');
    expect(answer.statusCode).toBe(303);
    expect((await lastAudit()).actor).toBe('Bea Cole (bea)');
  });

  it('does not ask hushdesk’s own second factor, even when it is required for everyone', async () => {
    await setSetting(t.app.db, 'require_two_factor', true, null, t.app.now());
    try {
      const { browser, answer } = await ssoRound('ann');
      expect(answer.headers.location).toBe('/tickets');
      expect((await browser.get('/tickets')).statusCode).toBe(200);
      // A password session of the same person is still taken to set it up.
      const withPassword = await signIn(t.app, 'bea');
      const page = await withPassword.get('/profile');
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toMatch(/^\/profile\/two-factor/);
    } finally {
      await setSetting(t.app.db, 'require_two_factor', false, null, t.app.now());
    }
  });

  it('refuses a person with no account, clearly, and records it', async () => {
    const { browser, answer } = await ssoRound('zed');
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toContain('ask your administrator to add you');
    expect(browser.hasCookie('hushdesk')).toBe(false);
    expect(await lastAudit()).toMatchObject({
      action: 'sso-sign-in-refused',
      detail: 'no account for zed@example.org',
    });
  });

  it('refuses a deactivated person though the provider says yes', async () => {
    const { browser, answer } = await ssoRound('dee');
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toContain('Your hushdesk account is deactivated');
    expect(browser.hasCookie('hushdesk')).toBe(false);
    expect(await lastAudit()).toMatchObject({
      action: 'sso-sign-in-refused',
      actor: 'Dee Park (dee)',
      detail: 'deactivated',
    });
  });

  it('refuses an email the provider has not verified', async () => {
    await addStaff(t.app, 'una');
    const { answer } = await ssoRound('una');
    expect(answer.statusCode).toBe(403);
    expect(await lastAudit()).toMatchObject({
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
    provider.tamper = tamper;
    const { browser, answer } = await ssoRound('ann', change);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toContain('Sign-in through Test IdP did not work');
    expect(browser.hasCookie('hushdesk')).toBe(false);
    const audit = await lastAudit();
    expect(audit.action).toBe('sso-sign-in-failed');
    expect(audit.staff_id).toBeNull();
  });

  it('takes a callback once: a replayed one finds no sign-in in progress', async () => {
    const browser = new Browser(t.app);
    await browser.get('/sign-in');
    const start = await browser.get('/sign-in/sso?next=%2F');
    const back = new URL(await signInAtProvider(String(start.headers.location), 'ann', CALLBACK));
    expect((await browser.get(back.pathname + back.search)).statusCode).toBe(303);
    const again = await new Browser(t.app).get(back.pathname + back.search);
    expect(again.statusCode).toBe(400);
    expect(await lastAudit()).toMatchObject({
      action: 'sso-sign-in-failed',
      detail: 'no sign-in in progress, or it expired',
    });
  });

  it('offers the provider’s sign-out after signing out of hushdesk', async () => {
    const { browser } = await ssoRound('ann');
    await browser.get('/');
    const out = await browser.post('/sign-out');
    expect(out.headers.location).toBe('/sign-in?signed-out=1');
    expect((await browser.get('/')).statusCode).toBe(303);
    const page = await browser.get('/sign-in?signed-out=1');
    expect(page.body).toContain('Sign out of Test IdP too');
    const provider_ = await browser.get('/sign-out/sso');
    const end = new URL(String(provider_.headers.location));
    expect(end.origin).toBe(provider.issuer);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/sign-in?signed-out=1`);
    // Offered once: the hint is gone.
    expect((await browser.get('/sign-in?signed-out=1')).body).not.toContain(
      'Sign out of Test IdP too',
    );
  });
});

describe('accounts made at first sign-in, and single sign-on required', () => {
  // The administrator's session above ended with the idle test's clock.
  beforeAll(async () => {
    admin = await signIn(t.app, 'ann');
  });

  it('makes an account with the default role for the chosen domain only', async () => {
    const staffRole = await t.app.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'staff')
      .executeTakeFirstOrThrow();
    const saved = await admin.post(
      '/settings/sign-in',
      settingsForm({
        client_secret: '',
        create_domain: '@NewHires.org',
        create_role_id: String(staffRole.id),
      }),
    );
    expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    const { answer } = await ssoRound('noa');
    expect(answer.statusCode).toBe(303);
    const made = await t.app.db
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
    expect(await lastAudit()).toMatchObject({ action: 'sign-in', actor: 'Noa New (noa.new)' });
    // Someone from another domain is still refused.
    expect((await ssoRound('zed')).answer.statusCode).toBe(403);
  });

  it('turns passwords off for everyone but the break-glass administrator', async () => {
    const ann = await t.app.db
      .selectFrom('staff')
      .select('id')
      .where('username', '=', 'ann')
      .executeTakeFirstOrThrow();
    const saved = await admin.post(
      '/settings/sign-in',
      settingsForm({ client_secret: '', required: 'on', break_glass_staff_id: String(ann.id) }),
    );
    expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    const page = await new Browser(t.app).get('/sign-in');
    expect(page.body).toContain('Passwords are turned off here');

    const bea = new Browser(t.app);
    await bea.get('/sign-in');
    const refused = await bea.post('/sign-in', {
      username: 'bea',
      password: 'correct horse battery staple',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Sign in with Test IdP');
    expect(bea.hasCookie('hushdesk')).toBe(false);
    // The break-glass administrator still gets in with a password.
    await expect(signIn(t.app, 'ann')).resolves.toBeInstanceOf(Browser);
    // And single sign-on still works for everyone.
    expect((await ssoRound('bea')).answer.statusCode).toBe(303);
  });
});

describe('single sign-on set by environment variables', () => {
  it('offers the button, shows the settings read-only and stores no secret', async () => {
    const env = await createTestApp({
      SSO_ALLOW_HTTP_LOOPBACK: 'on',
      SSO_ISSUER: provider.issuer,
      SSO_CLIENT_ID: CLIENT_ID,
      SSO_CLIENT_SECRET: CLIENT_SECRET,
      SSO_NAME: 'Agency account',
    });
    try {
      await addStaff(env.app, 'ann', { role: 'admin' });
      const browser = new Browser(env.app);
      expect((await browser.get('/sign-in')).body).toContain('Sign in with Agency account');
      const start = await browser.get('/sign-in/sso?next=%2F');
      const back = new URL(await signInAtProvider(String(start.headers.location), 'ann', CALLBACK));
      expect((await browser.get(back.pathname + back.search)).statusCode).toBe(303);
      const page = await browser.get('/settings/sign-in');
      expect(page.body).toContain('set by the server’s environment');
      expect(page.body).not.toContain(CLIENT_SECRET);
      expect(await env.app.db.selectFrom('sso_provider').selectAll().execute()).toEqual([]);

      // The sign-in in progress lives in the browser's sealed cookie, not in the
      // process: a restarted (or another) process finishes what this one began.
      const first = await env.app.inject({ url: '/sign-in/sso?next=%2Fprofile' });
      const sealed = first.cookies.find((c) => c.name === 'hushdesk-sso')?.value ?? '';
      expect(sealed).toMatch(/^v1:/);
      const returned = new URL(
        await signInAtProvider(String(first.headers.location), 'ann', CALLBACK),
      );
      await env.restart();
      const finished = await env.app.inject({
        url: returned.pathname + returned.search,
        headers: { cookie: `hushdesk-sso=${encodeURIComponent(sealed)}` },
      });
      expect(finished.statusCode).toBe(303);
      expect(finished.headers.location).toBe('/profile');
    } finally {
      await env.close();
    }
  });
});
