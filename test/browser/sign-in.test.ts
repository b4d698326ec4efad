import { describe, expect, it } from 'vitest';
import { haveChromium, signInAs, useLiveChromium } from '../helpers/browser.js';

describe.runIf(haveChromium)('in Chromium: sign in, the layout, sign out', () => {
  const s = useLiveChromium({ ann: { name: 'Ann Lee', role: 'admin' } });

  it('signs in, shows the header with the Help icon, and signs out', async () => {
    const context = await s.browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${s.live.url}/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    await signInAs(page, s.live.url, 'ann');

    await expect.poll(() => page.locator('header .person').textContent()).toBe('Ann Lee');
    expect(await page.getByRole('link', { name: 'Help' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'My tickets' }).isVisible()).toBe(true);
    // htmx loaded from the app itself, under the strict CSP, without errors.
    expect(await page.evaluate(() => typeof (globalThis as { htmx?: unknown }).htmx)).toBe(
      'object',
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await page.goto(`${s.live.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(problems).toEqual([]);
    await context.close();
  });
});
