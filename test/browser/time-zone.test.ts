import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, signIn } from '../helpers/app.js';
import {
  haveChromium,
  type LiveApp,
  launchChromium,
  signInAs,
  startLiveApp,
} from '../helpers/browser.js';
import { createTicket } from '../helpers/tickets.js';

describe.runIf(haveChromium)(
  'in Chromium: one time zone, named, on the audit log and the outbox',
  () => {
    let live: LiveApp;
    let browser: Browser;
    beforeAll(async () => {
      live = await startLiveApp();
      await addStaff(live.app, 'ann', { name: 'Ann Lee', role: 'admin' });
      const bo = await addStaff(live.app, 'bo', { name: 'Bo Chen' });
      await createTicket(await signIn(live.app, 'ann'), { assignee: String(bo.id) });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await live?.close();
    });

    it('shows the audit log and the outbox in the agency’s zone and format, as the ticket list', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signInAs(page, live.url, 'ann');
      // The test clock stands at 15:00 UTC: 9:00 AM in America/Chicago.
      await page.goto(`${live.url}/tickets`);
      const listed = await page.locator('#ticket-list tbody td').last().textContent();
      expect(listed).toBe('Nov 27, 2026, 9:00 AM');
      for (const path of ['/audit', '/outbox']) {
        await page.goto(`${live.url}${path}`);
        await page.getByText('Times are in America/Chicago, the agency’s time zone.').waitFor();
        expect(await page.locator('main table time').first().textContent(), path).toBe(listed);
      }
      await context.close();
    });
  },
);
