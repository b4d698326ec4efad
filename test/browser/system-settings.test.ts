import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, haveChromium, useLiveChromium } from '../helpers/browser.js';
import { TestSmtpServer } from '../helpers/smtp.js';

describe.runIf(haveChromium)('in Chromium: Settings → System', { timeout: 180_000 }, () => {
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    // A mail server that refuses the sender: the page has a line that needs action.
    smtp = await TestSmtpServer.start({
      onMailFrom: (_address, _session, callback) => {
        const refusal = new Error('5.7.1 Sender address rejected') as Error & {
          responseCode: number;
        };
        refusal.responseCode = 553;
        callback(refusal);
      },
    });
  });
  afterAll(async () => {
    await smtp?.stop();
  });
  const s = useLiveChromium(
    { ada: { name: 'Ada Admin', role: 'admin' } },
    { env: () => ({ SMTP_URL: smtp.url, SMTP_FROM: 'Help desk <help@agency.org>' }) },
  );

  for (const width of [1280, 390]) {
    it(`at ${width} px: every check reads with its verdict and what to do, with no axe violations`, async () => {
      const { context, page } = await s.signedIn('ada', { viewport: { width, height: 900 } });
      await page.goto(`${s.live.url}/settings/system`);
      const mail = page.locator('#system-checks li', { hasText: 'mail server' });
      await mail.waitFor();
      expect(await mail.textContent()).toMatch(/Needs action[\s\S]*What to do:[\s\S]*SMTP_FROM/);
      // Nothing runs off the side of a phone.
      const overflow = Number(
        await page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        ),
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await expectNoAxeViolations(page, `System at ${width} px`);
      await context.close();
    });
  }

  it('keyboard only: the key-copy button is reached with Tab and confirmed with Enter', async () => {
    const { context, page } = await s.signedIn('ada');
    await page.goto(`${s.live.url}/settings/system`);
    const button = page.getByRole('button', { name: 'I have saved a copy of the key' });
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await button.evaluate((b) => b === b.ownerDocument.activeElement);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/saved=1/);
    expect(await page.getByRole('status').textContent()).toContain(
      'a copy of the key is kept apart',
    );
    await expectNoAxeViolations(page, 'System after the key copy is confirmed');
    await context.close();
  });
});
