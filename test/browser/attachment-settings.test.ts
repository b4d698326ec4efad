import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, haveChromium, useLiveChromium } from '../helpers/browser.js';

const SHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'hushdesk-attachment-shots');

describe.skipIf(!haveChromium)('in Chromium: Settings → Attachments', () => {
  const s = useLiveChromium({ ada: { name: 'Ada Admin', role: 'admin' } });
  beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
  });

  for (const width of [1280, 390]) {
    it(`at ${width} px: a refused limit says why beside the field and keeps the others`, async () => {
      const { context, page } = await s.signedIn('ada', { viewport: { width, height: 900 } });
      await page.goto(`${s.live.url}/settings/attachments`);
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
