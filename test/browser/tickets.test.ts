import { describe, expect, it } from 'vitest';
import { haveChromium, signInAs, useLiveChromium } from '../helpers/browser.js';

describe.runIf(haveChromium)(
  'in Chromium: open a ticket from Help, find it in My tickets, work it to Complete',
  () => {
    const s = useLiveChromium({
      ann: { name: 'Ann Lee' },
      bo: { name: 'Bo Chen', department: 'Billing' },
    });

    it('Help opens the ticket window as a dialog; Save creates the ticket, which shows in My tickets', async () => {
      const context = await s.browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        // The browser logs the expected 422 of the mistake below; anything else is a fault.
        if (m.type() === 'error' && !m.text().includes('status of 422')) errors.push(m.text());
      });
      await signInAs(page, s.live.url, 'ann');

      await page.getByRole('link', { name: 'Help' }).click();
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      await dialog.waitFor();
      // The page under the dialog is still the one the person was on.
      expect(new URL(page.url()).pathname).toBe('/');

      // A mistake first: the dialog keeps what was typed and says what is wrong.
      await dialog.getByLabel('Description', { exact: true }).fill('Client 4411, DOS 11/20');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText('Enter a title').waitFor();
      expect(await dialog.getByLabel('Description', { exact: true }).inputValue()).toBe(
        'Client 4411, DOS 11/20',
      );

      await dialog.getByLabel('Title', { exact: true }).fill('Claims screen freezes');
      await dialog.getByLabel('Date due').fill('2026-12-15');
      await dialog.getByLabel('Priority').selectOption('high');
      // Step 7: part of the name in Quick search, Tab, and the matches are in the drop-down.
      await dialog.getByLabel('Quick search for Assigned To').fill('bo');
      await page.keyboard.press('Tab');
      const assignee = dialog.getByLabel('Assigned To', { exact: true });
      await assignee.locator('option', { hasText: 'Bo Chen' }).waitFor({ state: 'attached' });
      await assignee.selectOption({ label: 'Bo Chen · Staff · Billing' });
      await dialog.getByRole('button', { name: 'Save' }).click();

      const flash = page.locator('#flash');
      await flash.getByText(/Ticket #\d+ created\./).waitFor();
      expect(await page.getByRole('dialog').count()).toBe(0);
      const number = /#(\d+)/.exec((await flash.textContent()) ?? '')?.[1];

      await page.getByRole('link', { name: /Created by me/ }).click();
      await page.waitForURL((u) => u.search === '?tab=created');
      await page.locator(`#ticket-${number}`).getByText('Claims screen freezes').waitFor();
      await flash.getByRole('link').count();
      await page.goto(`${s.live.url}/tickets/${number}`);
      expect(await page.locator('#associated-staff').textContent()).toContain('Ann Lee');
      // Opened from names the page the Help button was pressed on, not its path.
      expect(await page.locator('dt:has-text("Opened from") + dd').textContent()).toBe(
        'My tickets',
      );
      expect(errors).toEqual([]);
      await context.close();
    });

    it('an inline status change to Complete with Save shows Date completed, only the row changes', async () => {
      const { context, page } = await s.signedIn('bo');
      await page.getByRole('link', { name: 'Help' }).click();
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      await dialog.getByLabel('Title', { exact: true }).fill('Toner low');
      await dialog.getByRole('button', { name: 'Save' }).click();
      const number = /#(\d+)/.exec(
        (await page
          .locator('#flash')
          .getByText(/created/)
          .textContent()) ?? '',
      )?.[1];
      await page.goto(`${s.live.url}/`);
      await page.evaluate(() => {
        (globalThis as unknown as { marker: string }).marker = 'same page';
      });
      const row = page.locator(`#ticket-${number}`);
      await row.getByLabel(`Status of ticket #${number}`, { exact: true }).selectOption('complete');
      await row.getByRole('button', { name: `Save status of ticket #${number}` }).click();
      await row.getByText('Completed Nov').waitFor();
      expect(await row.textContent()).toMatch(/Completed \w{3} \d+, \d{4}/);
      // htmx swapped the row; the page itself never reloaded.
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe(
        'same page',
      );
      await context.close();
    });

    it('works without JavaScript: the Help link is a page, Save redirects to the ticket', async () => {
      const context = await s.browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await signInAs(page, s.live.url, 'ann');
      await page.getByRole('link', { name: 'Help' }).click();
      await page.waitForURL((u) => u.pathname === '/tickets/new');
      await page.getByLabel('Title', { exact: true }).fill('No-script ticket');
      await page.getByLabel('Priority').selectOption('low');
      await page.getByLabel('Description', { exact: true }).fill('Line one\nLine two');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL((u) => /^\/tickets\/\d+$/.test(u.pathname));
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(
        /#\d+ No-script ticket/,
      );
      expect(await page.getByText(/Ticket #\d+ created\./).count()).toBe(1);

      // An inline status change without JavaScript comes back to the same list.
      const number = /\/tickets\/(\d+)/.exec(page.url())?.[1];
      await page.goto(`${s.live.url}/?tab=created&priority=low`);
      const row = page.locator(`#ticket-${number}`);
      await row.getByLabel(`Status of ticket #${number}`, { exact: true }).selectOption('complete');
      await row.getByRole('button', { name: `Save status of ticket #${number}` }).click();
      await page.waitForURL(
        (u) =>
          u.searchParams.get('tab') === 'created' &&
          u.searchParams.get('priority') === 'low' &&
          u.hash === `#ticket-${number}`,
      );
      // Complete is not open, so it has left this list; its page shows Date completed.
      expect(await page.locator(`#ticket-${number}`).count()).toBe(0);
      await page.goto(`${s.live.url}/tickets/${number}`);
      expect(await page.locator('#date-completed').textContent()).toMatch(/\w{3} \d+, \d{4}/);
      await context.close();
    });
  },
);
