import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { addStaff, Browser, createTestAppWith, signIn, type TestApp } from './app.js';
import { CLIENT_ID, CLIENT_SECRET, signInAtProvider, TestProvider } from './oidc-provider.js';

export const BASE = 'http://localhost:3000';
export const CALLBACK = `${BASE}/sign-in/sso/callback`;

export interface OidcWorld {
  t: TestApp;
  provider: TestProvider;
  /** Ann, an administrator, signed in with her password. */
  admin: Browser;
  /** The Settings → Sign-in form for the test provider, with these fields changed. */
  settingsForm(extra?: Record<string, string>): Record<string, string>;
  /** Starts at hushdesk's button, signs in at the provider, and returns hushdesk's answer. */
  ssoRound(
    login: string,
    change?: { authorization?: (u: URL) => void; callback?: (u: URL) => void },
  ): Promise<{ browser: Browser; answer: Awaited<ReturnType<Browser['get']>>; authorization: URL }>;
  lastAudit(): Promise<{
    action: string;
    actor: string;
    detail: string | null;
    staff_id: number | null;
  }>;
}

/**
 * Within the calling file: a test OpenID provider with its accounts (one whose
 * email is not verified, one from a new-hires domain), and an agency with Ann
 * (administrator), Bea and Dee (deactivated). `saved`: the provider is already
 * set up in Settings → Sign-in.
 */
export function useOidcWorld(options: { saved?: boolean } = {}): OidcWorld {
  const w = {} as OidcWorld;
  w.settingsForm = (extra = {}) => ({
    name: 'Test IdP',
    issuer: w.provider.issuer,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    enabled: 'on',
    break_glass_staff_id: '',
    create_domain: '',
    create_role_id: '',
    action: 'save',
    ...extra,
  });
  w.ssoRound = async (login, change = {}) => {
    const browser = new Browser(w.t.app);
    const page = await browser.get('/sign-in');
    expect(page.body).toContain('Sign in with Test IdP');
    const start = await browser.get('/sign-in/sso?next=%2Ftickets');
    expect(start.statusCode).toBe(303);
    const authorization = new URL(String(start.headers.location));
    expect(authorization.origin).toBe(w.provider.issuer);
    change.authorization?.(authorization);
    const back = new URL(await signInAtProvider(authorization.href, login, CALLBACK));
    change.callback?.(back);
    const answer = await browser.get(back.pathname + back.search);
    return { browser, answer, authorization };
  };
  w.lastAudit = () =>
    w.t.app.db
      .selectFrom('audit_log')
      .select(['action', 'actor', 'detail', 'staff_id'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    w.provider = await TestProvider.start([CALLBACK], [`${BASE}/sign-in?signed-out=1`]);
    w.provider.accounts.set('ann', { email: 'ann@example.org', name: 'Ann Lee' });
    w.provider.accounts.set('bea', { email: 'BEA@example.org' });
    w.provider.accounts.set('dee', { email: 'dee@example.org' });
    w.provider.accounts.set('zed', { email: 'zed@example.org' });
    w.provider.accounts.set('una', { email: 'una@example.org', email_verified: false });
    w.provider.accounts.set('noa', { email: 'noa.new@newhires.org', name: 'Noa New' });
    w.t = await createTestAppWith(
      { ann: { name: 'Ann Lee', role: 'admin' }, bea: { name: 'Bea Cole' } },
      { SSO_ALLOW_HTTP_LOOPBACK: 'on' },
    );
    const dee = await addStaff(w.t.app, 'dee', { name: 'Dee Park' });
    await w.t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', dee.id).execute();
    w.admin = await signIn(w.t.app, 'ann');
    if (options.saved) {
      await w.admin.get('/settings/sign-in');
      const saved = await w.admin.post('/settings/sign-in', w.settingsForm());
      expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    }
  });
  afterAll(async () => {
    await w.t?.close();
    await w.provider?.close();
  });
  beforeEach(() => {
    w.provider.tamper = null;
  });
  return w;
}
