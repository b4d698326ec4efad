import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addStaff, Browser, createTestApp } from '../../helpers/app.js';
import { CALLBACK, useOidcWorld } from '../../helpers/oidc.js';
import { CLIENT_ID, CLIENT_SECRET, signInAtProvider } from '../../helpers/oidc-provider.js';
import { readable } from '../../helpers/pages.js';
import { testStore } from '../../helpers/store.js';

/** Single sign-on's settings: in Settings → Sign-in, or from environment variables. */
const w = useOidcWorld();

describe('Settings → Sign-in', () => {
  it('shows the redirect URL to register and refuses to turn on a provider that does not answer', async () => {
    const page = await w.admin.get('/settings/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CALLBACK);
    const refused = await w.admin.post(
      '/settings/sign-in',
      w.settingsForm({ issuer: 'http://127.0.0.1:9/nothing' }),
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      'The connection failed: its discovery document could not be read',
    );
    // What was typed is kept.
    expect(refused.body).toContain('value="http://127.0.0.1:9/nothing"');
    expect(await w.t.app.db.selectFrom('sso_provider').selectAll().execute()).toEqual([]);
  });

  it('checks each field and keeps what was typed', async () => {
    const bad = await w.admin.post(
      '/settings/sign-in',
      w.settingsForm({
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
    const tested = await w.admin.post('/settings/sign-in', w.settingsForm({ action: 'test' }));
    expect(tested.statusCode).toBe(200);
    expect(tested.body).toContain(
      'Connected: discovery document read, 1 signing key fetched; it offers sign-out too.',
    );
    expect(await w.t.app.db.selectFrom('sso_provider').selectAll().execute()).toEqual([]);
  });

  it('saves, keeps the client secret encrypted and nowhere in clear under DATA_DIR', async () => {
    const saved = await w.admin.post('/settings/sign-in', w.settingsForm());
    expect(saved.headers.location).toBe('/settings/sign-in?saved=1');
    const row = await w.t.app.db.selectFrom('sso_provider').selectAll().executeTakeFirstOrThrow();
    expect(row.client_secret).toMatch(/^v1:[0-9a-f]{16}:/);
    expect(w.t.app.phi.decrypt(row.client_secret)).toBe(CLIENT_SECRET);
    // The page never shows it again.
    expect((await w.admin.get('/settings/sign-in')).body).not.toContain(CLIENT_SECRET);
    // The bytes of the SQLite file and its WAL (PostgreSQL keeps no file in DATA_DIR).
    if (testStore === 'sqlite') {
      await w.t.app.db.executeQuery({
        sql: 'pragma wal_checkpoint(FULL)',
        parameters: [],
        query: undefined as never,
        queryId: undefined as never,
      });
      for (const file of readdirSync(w.t.dataDir)) {
        const bytes = readFileSync(join(w.t.dataDir, file));
        expect(bytes.includes(CLIENT_SECRET), file).toBe(false);
      }
    }
    const audit = await w.lastAudit();
    expect(audit.action).toBe('setting-changed');
    expect(audit.detail).toContain('client secret replaced');
    expect(audit.detail).not.toContain(CLIENT_SECRET);
  });
});

describe('single sign-on set by environment variables', () => {
  it('offers the button, shows the settings read-only and stores no secret', async () => {
    const env = await createTestApp({
      SSO_ALLOW_HTTP_LOOPBACK: 'on',
      SSO_ISSUER: w.provider.issuer,
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
      expect(readable(page.body)).toContain('set by the server’s environment');
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
