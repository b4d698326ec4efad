import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addStaff } from '../helpers/app.js';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';
import { insertTicket } from '../helpers/tickets.js';

const hasFocus = (locator: Locator) =>
  locator.evaluate(
    (el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement,
  );

describe.runIf(haveChromium)('in Chromium: focus goes where the person is, lists keep up', () => {
  const s = useLiveChromium({ ann: { name: 'Ann Lee' } });

  async function signedIn(username = 'ann'): Promise<Page> {
    return (await s.signedIn(username)).page;
  }

  it('a refused Save in the ticket window focuses the first field in error', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    const title = dialog.getByLabel('Title', { exact: true });
    await expect.poll(() => hasFocus(title)).toBe(true);
    await dialog.getByLabel('Description', { exact: true }).fill('Typed before the title');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').waitFor();
    await expect.poll(() => hasFocus(dialog.getByLabel('Title', { exact: true }))).toBe(true);
    expect(
      await dialog.getByLabel('Title', { exact: true }).getAttribute('aria-describedby'),
    ).toContain('new-title-error');
    await page.context().close();
  });

  it('a refused Save on the ticket page focuses the first field in error', async () => {
    const id = await insertTicket(
      s.live.app.db,
      { title: 'Fax queue stuck', createdBy: s.id('ann'), assigneeId: s.id('ann') },
      new Date(),
    );
    const page = await signedIn();
    await page.goto(`${s.live.url}/tickets/${id}`);
    await page.getByLabel('Title', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.getByLabel('Title', { exact: true }).getAttribute('aria-invalid'))
      .toBe('true');
    await expect.poll(() => hasFocus(page.getByLabel('Title', { exact: true }))).toBe(true);
    await page.context().close();
  });

  it('closing the ticket window returns focus to the Help button', async () => {
    const page = await signedIn();
    const help = page.getByRole('link', { name: 'Help' });
    await help.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(help)).toBe(true);
    await page.context().close();
  });

  it('a ticket made from the window shows in the list behind it and in its count', async () => {
    await addStaff(s.live.app, 'cy', { name: 'Cy Diaz' });
    const page = await signedIn('cy');
    const list = page.locator('#ticket-list');
    await list.getByText('0 tickets').waitFor();
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByLabel('Title', { exact: true }).fill('Label printer jammed');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await list.getByRole('link', { name: 'Label printer jammed' }).waitFor();
    await list.getByText('1 ticket').waitFor();
    await expect
      .poll(() => page.locator('.tabs [aria-current="page"] .count').textContent())
      .toBe('1');
    await page.context().close();
  });
});
