import { describe, expect, it } from 'vitest';
import { signIn } from '../helpers/app.js';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';
import { createTicket } from '../helpers/tickets.js';

describe.runIf(haveChromium)(
  'in Chromium: one time zone, named, on the audit log and the outbox',
  () => {
    const s = useLiveChromium(
      { ann: { name: 'Ann Lee', role: 'admin' }, bo: { name: 'Bo Chen' } },
      {
        setUp: async (live) => {
          await createTicket(await signIn(live.app, 'ann'), { assignee: String(s.id('bo')) });
        },
      },
    );

    it('shows the audit log and the outbox in the agency’s zone and format, as the ticket list', async () => {
      const { context, page } = await s.signedIn('ann');
      // The test clock stands at 15:00 UTC: 9:00 AM in America/Chicago.
      await page.goto(`${s.live.url}/tickets`);
      const listed = await page.locator('#ticket-list tbody td').last().textContent();
      expect(listed).toBe('Nov 27, 2026, 9:00 AM');
      for (const path of ['/audit', '/outbox']) {
        await page.goto(`${s.live.url}${path}`);
        await page.getByText('Times are in America/Chicago, the agency’s time zone.').waitFor();
        expect(await page.locator('main table time').first().textContent(), path).toBe(listed);
      }
      await context.close();
    });
  },
);
