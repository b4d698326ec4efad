import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  haveChromium,
  signInAs,
  useLiveChromium,
} from '../helpers/browser.js';

/** Where the screenshots go, to be looked at by a person after a run. */
const SHOTS = process.env.SCREENSHOT_DIR ?? tmpdir();

describe.runIf(haveChromium)(
  'in Chromium: the same outage filed three times, found, merged and completed',
  { timeout: 480_000 },
  () => {
    const s = useLiveChromium(
      {
        ann: { name: 'Ann Lee' },
        bo: { name: 'Bo Chen' },
        cy: { name: 'Cy Diaz' },
        cam: { name: 'Cam Champion', role: 'champion' },
      },
      { timeout: 90_000 },
    );
    const numbers: Record<string, number> = {};

    /** A signed-in page that fails the test on any script error. */
    async function pageFor(username: string): Promise<{ page: Page; errors: string[] }> {
      const context = await s.browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signInAs(page, s.live.url, username);
      return { page, errors };
    }

    async function fileFromHelp(username: string, title: string): Promise<number> {
      const { page, errors } = await pageFor(username);
      await page.getByRole('link', { name: 'Help' }).click();
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      await dialog.getByLabel('Title', { exact: true }).fill(title);
      await dialog.getByRole('button', { name: 'Save' }).click();
      const link = page.locator('#flash a', { hasText: /Open ticket #\d+/ });
      const text = (await link.textContent()) ?? '';
      await page.context().close();
      expect(errors).toEqual([]);
      return Number(/#(\d+)/.exec(text)?.[1]);
    }

    it('three staff file the same outage; each sees only their own, so each files one', async () => {
      numbers.ann = await fileFromHelp('ann', 'EHR down at the front desk');
      numbers.bo = await fileFromHelp('bo', 'EHR down in billing');
      numbers.cy = await fileFromHelp('cy', 'EHR is down');
      expect(new Set(Object.values(numbers)).size).toBe(3);
    });

    it('the champion typing a title is offered the open tickets like it, and joins one instead', async () => {
      const { page, errors } = await pageFor('cam');
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${s.live.url}/`);
        await page.getByRole('link', { name: 'Help' }).click();
        const dialog = page.getByRole('dialog', { name: 'New ticket' });
        await dialog
          .getByLabel('Title', { exact: true })
          .pressSequentially('EHR down', { delay: 20 });
        const offer = dialog.getByRole('group', { name: /Is it one of these/ });
        await offer.waitFor();
        expect(await offer.getByRole('button').count()).toBe(3);
        await expectNoAxeViolations(page, `similar tickets in the ticket window at ${width}`);
        await page.screenshot({ path: `${SHOTS}/related-similar-${width}.png`, fullPage: true });
        if (width === 1280) {
          // Typed work is guarded on close: the person confirms leaving it.
          page.once('dialog', (question) => void question.accept());
          await dialog.getByRole('button', { name: 'Close' }).click();
          await dialog.waitFor({ state: 'detached' });
        }
      }
      // Keyboard only: Tab to Ann's ticket's button and press Enter.
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      const join = dialog.getByRole('button', { name: `Add me to #${numbers.ann}` });
      await join.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await page.locator('#flash').getByText(`You now follow ticket #${numbers.ann}`).waitFor();
      const count = await s.live.app.db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(3);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it('the champion merges two into the first', async () => {
      const { page, errors } = await pageFor('cam');
      await page.goto(`${s.live.url}/tickets/${numbers.ann}`);
      await page
        .getByLabel('Merge duplicates into this ticket')
        .fill(`${numbers.bo}, ${numbers.cy}`);
      await page.getByRole('button', { name: 'Merge' }).click();
      await page.getByText(`Merged #${numbers.bo}, #${numbers.cy} into this ticket.`).waitFor();
      const timeline = page.locator('#timeline-entries');
      await timeline
        .getByText(`merged #${numbers.bo} EHR down in billing into this ticket.`)
        .waitFor();
      const associated = page.locator('#associated-staff');
      await associated.locator('li > span', { hasText: 'Bo Chen' }).waitFor();
      await associated.locator('li > span', { hasText: 'Cy Diaz' }).waitFor();
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await expectNoAxeViolations(page, `merged survivor at ${width}`);
        await page.screenshot({ path: `${SHOTS}/related-survivor-${width}.png`, fullPage: true });
      }
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it('each creator sees where their ticket went, and follows it there', async () => {
      for (const who of ['bo', 'cy'] as const) {
        const { page, errors } = await pageFor(who);
        await page.goto(`${s.live.url}/tickets/${numbers[who]}`);
        const notice = page.locator('#merged-into');
        await notice.getByText('This ticket was merged into').waitFor();
        await page.getByText('Cancelled', { exact: true }).first().waitFor();
        if (who === 'bo') {
          for (const width of [1280, 390]) {
            await page.setViewportSize({ width, height: 900 });
            await expectNoAxeViolations(page, `merged ticket at ${width}`);
            await page.screenshot({ path: `${SHOTS}/related-merged-${width}.png`, fullPage: true });
          }
        }
        await notice
          .getByRole('link', { name: `#${numbers.ann} EHR down at the front desk` })
          .click();
        await page.waitForURL(`${s.live.url}/tickets/${numbers.ann}`);
        await page
          .getByRole('heading', { name: `#${numbers.ann} EHR down at the front desk` })
          .waitFor();
        expect(errors).toEqual([]);
        await page.context().close();
      }
    });

    it('completing the outage offers to complete the ticket waiting on it, in the same Save', async () => {
      numbers.waiting = await fileFromHelp('ann', 'Cannot print claims while EHR is down');
      const { page, errors } = await pageFor('cam');
      await page.goto(`${s.live.url}/tickets/${numbers.waiting}`);
      await page.getByLabel('Link', { exact: true }).selectOption('waiting_on');
      await page.getByLabel('Ticket number').fill(String(numbers.ann));
      await page.getByRole('button', { name: 'Link', exact: true }).click();
      await page.locator('#related-links').getByText('Waiting on').waitFor();

      await page.goto(`${s.live.url}/tickets/${numbers.ann}`);
      const offer = page.getByRole('group', { name: 'Tickets waiting on this one' });
      await offer.getByText('Cannot print claims while EHR is down').waitFor();
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await expectNoAxeViolations(page, `completing offer at ${width}`);
        await page.screenshot({ path: `${SHOTS}/related-offer-${width}.png`, fullPage: true });
      }
      await page.getByLabel('Status', { exact: true }).selectOption('complete');
      await offer.getByLabel(/Complete it too/).check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText(`Also completed #${numbers.waiting}, which waited on it.`).waitFor();
      const child = await s.live.app.db
        .selectFrom('tickets')
        .select(['status', 'completed_date'])
        .where('id', '=', numbers.waiting)
        .executeTakeFirstOrThrow();
      expect(child.status).toBe('complete');
      expect(child.completed_date).not.toBeNull();
      expect(errors).toEqual([]);
      await page.context().close();
    });
  },
);
