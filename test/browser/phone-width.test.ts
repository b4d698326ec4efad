import { describe, expect, it } from 'vitest';
import { insertOutboxMessage } from '../../src/repositories/outbox.js';
import { expectNoAxeViolations, haveChromium, useLiveChromium } from '../helpers/browser.js';

/**
 * The administrator's wide tables (Outbox, Audit log, Staff) at phone width:
 * the table scrolls inside its own region, reachable by keyboard, and the page
 * itself is never wider than the phone.
 */
describe.skipIf(!haveChromium)('in Chromium: wide tables at 390 px', () => {
  const s = useLiveChromium(
    {
      ada: { name: 'Ada Administrator-Longname', role: 'admin' },
      bo: { name: 'Bo Chen', department: 'Billing and claims coordination' },
    },
    {
      setUp: async (live) => {
        await insertOutboxMessage(
          live.app.db,
          {
            kind: 'assigned',
            recipientStaffId: null,
            toAddress: 'a.very.long.mailbox.name@agency-with-a-long-domain.example.org',
            subject:
              '#1 Claims export fails every morning: assigned to you by Ada Administrator-Longname',
            textBody: 'text',
            htmlBody: '<p>html</p>',
            ticketId: null,
          },
          'hushdesk.test',
          live.app.now(),
        );
      },
    },
  );

  it('Outbox, Audit log and Staff fit the phone; their tables scroll in a focusable region', async () => {
    const { context, page } = await s.signedIn('ada', { viewport: { width: 390, height: 844 } });
    for (const [path, region] of [
      ['/outbox', 'Messages'],
      ['/audit', 'Audit entries'],
      ['/staff', 'Staff'],
    ] as const) {
      await page.goto(`${s.live.url}${path}`);
      await page.getByRole('region', { name: region }).waitFor();
      expect(
        await page.evaluate('document.documentElement.scrollWidth'),
        `${path} is wider than the phone`,
      ).toBeLessThanOrEqual(390);
      await expectNoAxeViolations(page, `${path} at 390 px`);
    }
    await context.close();
  });
});
