import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, haveChromium, useLiveChromium } from '../helpers/browser.js';
import { CLIENT_ID, CLIENT_SECRET, TestProvider } from '../helpers/oidc-provider.js';

/** Set SCREENSHOT_DIR to keep a picture of each page at 1280 and 390 px wide. */
async function look(page: Page, name: string): Promise<void> {
  await expectNoAxeViolations(page, name);
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe.runIf(haveChromium)(
  'in Chromium: single sign-on, from Settings to signed in and out',
  () => {
    let provider: TestProvider;
    const s = useLiveChromium(
      { ann: { name: 'Ann Lee', role: 'admin' }, bea: { name: 'Bea Cole' } },
      {
        env: { SSO_ALLOW_HTTP_LOOPBACK: 'on' },
        setUp: async (live) => {
          provider = await TestProvider.start(
            [`${live.url}/sign-in/sso/callback`],
            [`${live.url}/sign-in?signed-out=1`],
          );
          provider.accounts.set('bea', { email: 'bea@example.org', name: 'Bea Cole' });
        },
      },
    );
    afterAll(async () => {
      await provider?.close();
    });

    it('an administrator connects the provider; staff sign in through it and out of both', async () => {
      const { context: adminContext, page: admin } = await s.signedIn('ann');
      await admin.goto(`${s.live.url}/settings`);
      await admin.getByRole('link', { name: 'Sign-in' }).click();
      await admin.waitForURL((u) => u.pathname === '/settings/sign-in');
      expect(await admin.locator('#redirect-url').textContent()).toBe(
        `${s.live.url}/sign-in/sso/callback`,
      );
      await admin.getByLabel('Name on the button').fill('Test IdP');
      await admin.getByLabel('Issuer URL').fill(provider.issuer);
      await admin.getByLabel('Client ID').fill(CLIENT_ID);
      await admin.getByLabel('Client secret').fill(CLIENT_SECRET);
      await admin.getByRole('button', { name: 'Test connection' }).click();
      await expect.poll(() => admin.locator('#test-result').textContent()).toContain('Connected');
      await look(admin, 'settings-sign-in-tested');
      // The secret typed survives the test, so Save needs no retyping.
      await admin.getByRole('checkbox', { name: /Offer/ }).check();
      await admin.getByRole('button', { name: 'Save' }).click();
      await admin.waitForURL((u) => u.search === '?saved=1');
      await look(admin, 'settings-sign-in-saved');
      await adminContext.close();

      const context = await s.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${s.live.url}/tickets/new`);
      await page.waitForURL((u) => u.pathname === '/sign-in');
      await look(page, 'sign-in-with-sso');
      await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
      // At the provider's own login form.
      await page.waitForURL((u) => u.origin === provider.issuer);
      await page.locator('input[name="login"]').fill('bea');
      await page.locator('input[name="password"]').fill('anything');
      await page.locator('button[type="submit"]').click();
      await page.waitForURL((u) => u.origin === s.live.url && u.pathname === '/tickets/new');
      await expect.poll(() => page.locator('header .person').textContent()).toBe('Bea Cole');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((u) => u.pathname === '/sign-in');
      await look(page, 'signed-out-offer');
      await page.getByRole('link', { name: 'Sign out of Test IdP too' }).click();
      await page.waitForURL((u) => u.origin === provider.issuer);
      // oidc-provider asks to confirm; yes, then it sends the browser back.
      await page.locator('button[autofocus], button[type="submit"]').first().click();
      await page.waitForURL((u) => u.origin === s.live.url && u.pathname === '/sign-in');
      await page.goto(`${s.live.url}/`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      await context.close();
    }, 180_000);
  },
);
