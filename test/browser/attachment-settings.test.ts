import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff } from '../helpers/app.js';
import {
  expectNoAxeViolations,
  haveChromium,
  type LiveApp,
  launchChromium,
  signInAs,
  startLiveApp,
} from '../helpers/browser.js';

const SHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'hushdesk-attachment-shots');

describe.skipIf(!haveChromium)('in Chromium: Settings → Attachments', () => {
  let live: LiveApp;
  let browser: Browser;

  beforeAll(async () => {
    live = await startLiveApp();
    await addStaff(live.app, 'ada', { name: 'Ada Admin', role: 'admin' });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  for (const width of [1280, 390]) {
    it(`at ${width} px: a refused limit says why beside the field and keeps the others`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await signInAs(page, live.url, 'ada');
      await page.goto(`${live.url}/settings/attachments`);
      await expectNoAxeViolations(page, `Settings → Attachments at ${width}`);

      await page.fill('#fileMb', 'ten');
      await page.fill('#filesPerTicket', '7');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('#fileMb').getAttribute('aria-invalid')).toBe('true');
      expect(await page.inputValue('#fileMb')).toBe('ten');
      expect(await page.inputValue('#filesPerTicket')).toBe('7');
      await expectNoAxeViolations(page, `Settings → Attachments with an error at ${width}`);
      await page.screenshot({
        path: join(SHOTS, `settings-attachments-${width}.png`),
        fullPage: true,
      });
      // Nothing on the page is wider than the window.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        width,
      );

      await page.fill('#fileMb', '5');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved. The limits below are in force.').waitFor();
      expect(await page.inputValue('#filesPerTicket')).toBe('7');
      await context.close();
    });
  }
});
