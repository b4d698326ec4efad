import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { setSetting } from '../../src/repositories/settings.js';
import { signIn } from '../helpers/app.js';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';
import { createTicket, insertTicket } from '../helpers/tickets.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/** The computed background colour (the tests' TypeScript has no DOM library, hence the cast). */
const background = (locator: Locator) =>
  locator.evaluate(
    (el) =>
      (
        el.ownerDocument.defaultView as unknown as {
          getComputedStyle(e: unknown): { backgroundColor: string };
        }
      ).getComputedStyle(el).backgroundColor,
  );

/** How many presses of Tab take focus from `from` to `to`; -1 when 60 presses do not. */
async function tabsBetween(page: Page, from: Locator, to: Locator): Promise<number> {
  await from.focus();
  for (let presses = 1; presses <= 60; presses++) {
    await page.keyboard.press('Tab');
    if (await to.evaluate((el) => el === el.ownerDocument.activeElement)) return presses;
  }
  return -1;
}

describe.runIf(haveChromium)('in Chromium: a ticket and its lists read at a glance', () => {
  const world = { high: 0, crisis: 0, overdue: 0, done: 0 };
  const s = useLiveChromium(
    {
      ada: { name: 'Ada Admin', role: 'admin' },
      bo: { name: 'Bo Chen', department: 'Billing' },
      cy: { name: 'Cy Diaz', role: 'champion' },
    },
    {
      async setUp(live) {
        const now = live.app.now();
        await setSetting(live.app.db, 'escalation_desk_name', 'Procentive Support', null, now);
        await setSetting(live.app.db, 'escalation_desk_email', 'desk@vendor.example', null, now);
        const bo = await signIn(live.app, 'bo');
        world.high = await createTicket(bo, {
          title: 'Claims export fails',
          priority: 'high',
          opened_from: '/',
        });
        world.crisis = await createTicket(bo, { title: 'Every client gone', priority: 'crisis' });
        const boId = s.id('bo');
        world.overdue = await insertTicket(
          live.app.db,
          { title: 'Toner order', createdBy: boId, assigneeId: boId, dueDate: '2026-11-20' },
          now,
        );
        world.done = await insertTicket(
          live.app.db,
          { title: 'Fixed printer', createdBy: boId, assigneeId: boId, status: 'complete' },
          now,
        );
      },
    },
  );

  it('the ticket page: priority and status as coloured badges in words, Opened from named', async () => {
    const { context, page } = await s.signedIn('bo', { viewport: DESKTOP });
    await page.goto(`${s.live.url}/tickets/${world.high}`);
    const meta = page.locator('#ticket .meta');
    const priority = meta.locator('.badge', { hasText: 'High priority' });
    await priority.waitFor();
    expect(await meta.locator('.badge', { hasText: 'New' }).count()).toBe(1);
    await page.goto(`${s.live.url}/tickets/${world.overdue}`);
    const none = page.locator('#ticket .meta .badge', { hasText: 'No priority' });
    await none.waitFor();
    expect(await page.locator('#ticket .meta .badge', { hasText: 'Overdue' }).count()).toBe(1);
    // High is filled in colour; no priority is not: colour and words both say it.
    await page.goto(`${s.live.url}/tickets/${world.high}`);
    const highColour = await background(priority);
    await page.goto(`${s.live.url}/tickets/${world.overdue}`);
    expect(highColour).not.toBe(await background(none));

    await page.goto(`${s.live.url}/tickets/${world.high}`);
    expect(await page.locator('dt:has-text("Opened from") + dd').textContent()).toBe('My tickets');
    await context.close();
  });

  it('in the list, Crisis, High and Overdue stand out, in words as well as colour', async () => {
    const { context, page } = await s.signedIn('bo', { viewport: DESKTOP });
    await page.goto(`${s.live.url}/?tab=created`);
    const badge = (id: number, text: string) =>
      page.locator(`#ticket-${id} .badge`, { hasText: text });
    await badge(world.crisis, 'Crisis').waitFor();
    await badge(world.high, 'High').waitFor();
    await badge(world.overdue, 'Overdue').waitFor();
    const plain = await background(badge(world.overdue, 'None'));
    expect(await background(badge(world.crisis, 'Crisis'))).not.toBe(plain);
    expect(await background(badge(world.high, 'High'))).not.toBe(plain);
    expect(await background(badge(world.overdue, 'Overdue'))).not.toBe(plain);
    await context.close();
  });

  it('Add a note is a few Tabs from Status; escalation help sits in the side column, and not on a completed ticket', async () => {
    const { context, page } = await s.signedIn('bo', { viewport: DESKTOP });
    await page.goto(`${s.live.url}/tickets/${world.high}`);
    const presses = await tabsBetween(
      page,
      page.getByLabel('Status', { exact: true }),
      page.getByLabel('Add a note'),
    );
    expect(presses).toBeGreaterThan(0);
    expect(presses).toBeLessThanOrEqual(8);
    const help = page.locator('aside.ticket-side #champions-only');
    await help.getByText('Only champions can send tickets to Procentive Support.').waitFor();
    // Beside the fields at desktop width, not above them.
    const helpBox = await help.boundingBox();
    const formBox = await page.locator('form.ticket-form').boundingBox();
    expect(helpBox?.x).toBeGreaterThan((formBox?.x ?? 0) + (formBox?.width ?? 0));

    await page.goto(`${s.live.url}/tickets/${world.done}`);
    await page.locator('#ticket h1').waitFor();
    expect(await page.locator('#champions-only').count()).toBe(0);
    await context.close();
  });

  it('at 390 px the filters fold behind "Filters (n)" and rows are cards whose status saves', async () => {
    const { context, page } = await s.signedIn('bo', { viewport: PHONE });
    await page.goto(`${s.live.url}/?tab=created`);
    const toggle = page.locator('summary', { hasText: 'Filters (0)' });
    await toggle.waitFor();
    const statusFilter = page.getByLabel('Status', { exact: true });
    await expect.poll(() => statusFilter.isVisible()).toBe(false);
    await toggle.click();
    await expect.poll(() => statusFilter.isVisible()).toBe(true);

    await page.goto(`${s.live.url}/?tab=created&status=any&priority=crisis`);
    await page.locator('summary', { hasText: 'Filters (2)' }).waitFor();
    await page.goto(`${s.live.url}/?tab=created`);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // A row is a card inside the screen, its status control in reach, by keyboard too.
    const row = page.locator(`#ticket-${world.crisis}`);
    const box = await row.boundingBox();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 999) <= 390).toBe(true);
    const status = page.getByLabel(`Status of ticket #${world.crisis}`, { exact: true });
    await status.focus();
    await status.selectOption('in_progress');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator(`#ticket-${world.crisis}`).getByText('Saved').waitFor();
    const saveBox = await page
      .getByRole('button', { name: `Save status of ticket #${world.crisis}` })
      .boundingBox();
    expect((saveBox?.x ?? 999) + (saveBox?.width ?? 0)).toBeLessThanOrEqual(390);

    // On a desktop the filters are simply there, with no fold.
    await page.setViewportSize(DESKTOP);
    await expect.poll(() => statusFilter.isVisible()).toBe(true);
    expect(await page.locator('summary', { hasText: 'Filters' }).isVisible()).toBe(false);
    await context.close();
  });

  it('Settings at 390 px: no response-target label or value is cut', async () => {
    const { context, page } = await s.signedIn('ada', { viewport: PHONE });
    await page.goto(`${s.live.url}/settings`);
    // Each field's name is shown whole, and each field sits inside the screen.
    const names = page.locator('#priority-targets td[data-label]');
    expect(await names.count()).toBe(12);
    for (const cell of await names.all()) {
      const fits = await cell.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return el.scrollWidth <= el.clientWidth && box.left >= 0 && box.right <= 390;
      });
      expect(fits, await cell.innerHTML()).toBe(true);
    }
    // The labels staff see read whole; None's sentence-long default is the one
    // that scrolls inside its field, as any one-line field must at this width.
    for (const key of ['crisis', 'high', 'medium', 'low', 'future']) {
      const input = page.locator(`#label_${key}`);
      const fits = await input.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return el.scrollWidth <= el.clientWidth && box.left >= 0 && box.right <= 390;
      });
      expect(fits, `${key}: ${await input.inputValue()}`).toBe(true);
    }
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await context.close();
  });
});
