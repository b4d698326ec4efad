import { describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/auth/totp.js';
import { recordAudit } from '../../src/repositories/audit.js';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';

interface Storage {
  length: number;
}

describe.runIf(haveChromium)('in Chromium: audit log, two-step sign-in, no stored pages', () => {
  const s = useLiveChromium(
    { ann: { name: 'Ann Lee', role: 'admin' }, bo: { name: 'Bo Chen' } },
    {
      setUp: async (live) => {
        for (const action of ['ticket-viewed', 'ticket-changed']) {
          const actor = { label: 'Bo Chen (bo)' };
          await recordAudit(live.app.db, { actor, action }, live.app.now());
        }
      },
    },
  );

  it('filters the audit log in place, goes back, and leaves nothing in browser storage', async () => {
    const { context, page, errors: problems } = await s.signedIn('ann');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL((u) => u.pathname === '/audit');
    await page.getByLabel('Kind').selectOption('ticket-changed');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL((u) => u.search === '?action=ticket-changed');
    await expect.poll(() => page.locator('#audit-log tbody tr').count()).toBe(1);

    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/audit' && u.search === '');
    await expect.poll(() => page.locator('#audit-log tbody tr').count()).toBeGreaterThan(1);
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as Record<'localStorage' | 'sessionStorage', Storage>;
      return { local: g.localStorage.length, session: g.sessionStorage.length };
    });
    expect(stored).toEqual({ local: 0, session: 0 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('enrols an authenticator from the QR page and signs in with a code', async () => {
    const { context, page, errors: problems } = await s.signedIn('bo');
    await page.goto(`${s.live.url}/profile/two-factor`);
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const qr = page.locator('img.qr');
    // The server-rendered QR code loads under the CSP (img-src data:).
    await expect
      .poll(() => qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    const secret = ((await page.locator('.secret code').textContent()) ?? '').replace(/\s/g, '');
    const code = () => totpCode(secret, totpStep(s.live.app.now()));
    await page.getByLabel('Enter the six-digit code the app shows').fill(code());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.locator('.recovery-codes li').count()).toBe(10);

    s.live.clock.advance(30_000);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await page.getByLabel('Username').fill('bo');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in/two-factor');
    await page.getByLabel('Code from your authenticator app').fill(code());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect.poll(() => page.locator('header .person').textContent()).toBe('Bo Chen');
    expect(problems).toEqual([]);
    await context.close();
  });
});
