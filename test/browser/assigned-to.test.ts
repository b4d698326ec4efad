import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { haveChromium, signInAs, useLiveChromium } from '../helpers/browser.js';

/** Whether the element has focus, asked in the page. */
const hasFocus = (locator: Locator) =>
  locator.evaluate((el) => (el as unknown as { matches(s: string): boolean }).matches(':focus'));

/** The label of a drop-down's chosen option. */
const chosenLabel = (locator: Locator) =>
  locator.evaluate(
    (el) =>
      (el as unknown as { selectedOptions: { textContent: string | null }[] }).selectedOptions[0]
        ?.textContent,
  );

describe.runIf(haveChromium)('in Chromium: Assigned To (seed step 7)', () => {
  const s = useLiveChromium({
    dee: { name: 'Dee Moss', department: 'Front desk' },
    ann: { name: 'Ann Lee', department: 'Billing' },
    ann2: { name: 'Ann Lee', role: 'champion', department: 'Intake' },
    kath: { name: 'Kathleen Ashlee', department: 'Clinical' },
    jose: { name: 'José Álvarez', department: 'Clinical' },
    bo: { name: 'Bo Chen', department: 'Billing' },
  });

  const ticketNumberFromFlash = async (page: Page) =>
    /#(\d+)/.exec(
      (await page
        .locator('#flash')
        .getByText(/Ticket #\d+ created\./)
        .textContent()) ?? '',
    )?.[1];

  it('in the dialog: type "lee", Tab, pick Ann Lee, Save; the ticket shows her and me', async () => {
    const { context, page, errors } = await s.signedIn('dee');
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByLabel('Title', { exact: true }).fill('Remittance import fails');

    const assignee = dialog.getByLabel('Assigned To', { exact: true });
    expect(await assignee.locator('option').allTextContents()).toEqual(['[self]']);
    await dialog.getByLabel('Quick search for Assigned To').fill('lee');
    await page.keyboard.press('Tab');
    // The matches arrive in the drop-down, which takes focus, ready to pick.
    await assignee.locator('option', { hasText: 'Kathleen' }).waitFor({ state: 'attached' });
    expect(await assignee.locator('option').allTextContents()).toEqual([
      '[self]',
      'Ann Lee · Staff · Billing',
      'Ann Lee · Champion · Intake',
      'Kathleen Ashlee · Staff · Clinical',
    ]);
    await expect.poll(() => hasFocus(assignee)).toBe(true);
    expect(await dialog.getByRole('status').first().textContent()).toContain(
      '3 people match “lee”',
    );
    // Still the same page: the search was one small request, not a reload.
    expect(new URL(page.url()).pathname).toBe('/');

    // The first match is chosen already: Save alone gives her the ticket, not [self].
    expect(await chosenLabel(assignee)).toBe('Ann Lee · Staff · Billing');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const number = await ticketNumberFromFlash(page);

    await page.goto(`${s.live.url}/tickets/${number}`);
    expect(await page.locator('dt:text("Assigned To") + dd').textContent()).toBe('Ann Lee');
    expect(await page.locator('#associated-staff').textContent()).toContain('Dee Moss');
    expect(await page.locator('#timeline').textContent()).toMatch(
      /Dee Moss\s+added Dee Moss to associated staff\./,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the pick list by keyboard alone: open, filter, arrow, Enter; Escape returns focus', async () => {
    const { context, page, errors } = await s.signedIn('dee');
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByLabel('Title', { exact: true }).fill('Keyboard only');

    // Escape first: the pick list closes and focus is back on its button.
    const pickButton = dialog.getByRole('button', { name: 'Pick list for Assigned To' });
    await pickButton.focus();
    await page.keyboard.press('Enter');
    const pickList = page.getByRole('dialog', { name: 'Pick list: Assigned To' });
    await pickList.waitFor();
    await expect.poll(() => hasFocus(pickList.getByLabel('Filter'))).toBe(true);
    await page.keyboard.press('Escape');
    await pickList.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(pickButton)).toBe(true);
    // The ticket window is still open, with what was typed.
    expect(await dialog.getByLabel('Title', { exact: true }).inputValue()).toBe('Keyboard only');

    // Now pick: grouped by department; filter "ann", arrow down twice, Enter.
    await page.keyboard.press('Enter');
    await pickList.waitFor();
    const groups = await pickList.locator('h3').allTextContents();
    expect(groups).toEqual(['Billing', 'Clinical', 'Front desk', 'Intake']);
    await page.keyboard.type('ann');
    await expect
      .poll(() =>
        pickList.getByRole('button', { name: /^(Ann Lee|Bo Chen|José Álvarez)$/ }).count(),
      )
      .toBe(2);
    expect(await pickList.getByRole('status').textContent()).toBe('2 people');
    // While filtering, [self] comes after the matches.
    expect(await pickList.locator('button.pick:visible').allTextContents()).toEqual([
      'Ann Lee',
      'Ann Lee',
      '[self] (me)',
    ]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await pickList.waitFor({ state: 'detached' });

    const assignee = dialog.getByLabel('Assigned To', { exact: true });
    await expect.poll(() => hasFocus(assignee)).toBe(true);
    const chosen = await chosenLabel(assignee);
    // Ann Lee of Billing, Ann Lee of Intake, then [self]: the second entry down is the champion.
    expect(chosen).toBe('Ann Lee · Champion · Intake');

    // Enter in the title saves, as before; the ticket is the champion's.
    await dialog.getByLabel('Title', { exact: true }).focus();
    await page.keyboard.press('Enter');
    const number = await ticketNumberFromFlash(page);
    await page.goto(`${s.live.url}/tickets/${number}`);
    expect(await page.locator('dt:text("Assigned To") + dd').textContent()).toBe('Ann Lee');
    expect(await page.locator('#associated-staff').textContent()).toContain('Dee Moss');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Enter in the quick search searches instead of saving; the ticket page adds associated staff', async () => {
    const { context, page, errors } = await s.signedIn('dee');
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByLabel('Title', { exact: true }).fill('Enter searches');
    await dialog.getByLabel('Quick search for Assigned To').fill('JOSE');
    await page.keyboard.press('Enter');
    const assignee = dialog.getByLabel('Assigned To', { exact: true });
    await assignee.locator('option', { hasText: 'José' }).waitFor({ state: 'attached' });
    expect(await page.getByRole('dialog', { name: 'New ticket' }).count()).toBe(1);
    await dialog.getByLabel('Quick search for Assigned To').fill('nobody-at-all');
    await dialog.getByRole('button', { name: 'Search for Assigned To' }).click();
    await dialog.getByText('No staff match “nobody-at-all”.').waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    const number = await ticketNumberFromFlash(page);

    // On the ticket page: add Bo with the same quick search, then remove him.
    await page.goto(`${s.live.url}/tickets/${number}`);
    const section = page.locator('#associated');
    await section.getByLabel('Quick search for Add associated staff').fill('chen');
    await page.keyboard.press('Tab');
    const add = section.getByLabel('Add associated staff', { exact: true });
    await add.locator('option', { hasText: 'Bo Chen' }).waitFor({ state: 'attached' });
    await add.selectOption({ label: 'Bo Chen · Staff · Billing' });
    await section.getByRole('button', { name: 'Add', exact: true }).click();
    await section.getByText('Bo Chen added to associated staff.').waitFor();
    await page.locator('#timeline').getByText('added Bo Chen to associated staff.').waitFor();
    await section.getByRole('button', { name: 'Remove Bo Chen' }).click();
    await section.getByText('Bo Chen removed from associated staff.').waitFor();
    await page.locator('#timeline').getByText('removed Bo Chen from associated staff.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works without JavaScript: Search and the pick list come back with everything typed', async () => {
    const context = await s.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signInAs(page, s.live.url, 'dee');
    await page.goto(`${s.live.url}/tickets/new`);
    await page.getByLabel('Title', { exact: true }).fill('No-script assignment');
    await page.getByLabel('Priority').selectOption('low');
    await page.getByLabel('Description', { exact: true }).fill('Client 77\nline two');
    await page.getByLabel('Quick search for Assigned To').fill('lee');
    await page.getByRole('button', { name: 'Search for Assigned To' }).click();
    await page.getByText('3 people match “lee”').waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(
      'No-script assignment',
    );
    expect(await page.getByLabel('Description', { exact: true }).inputValue()).toBe(
      'Client 77\nline two',
    );
    expect(await page.getByLabel('Priority').inputValue()).toBe('low');
    const assignee = page.getByLabel('Assigned To', { exact: true });
    await assignee.selectOption({ label: 'Kathleen Ashlee · Staff · Clinical' });

    // The pick list: a page of its own; choosing returns with everything, Bo chosen.
    await page.getByRole('button', { name: 'Pick list for Assigned To' }).click();
    await page.getByRole('heading', { name: 'Pick list: Assigned To' }).waitFor();
    await page.getByLabel('Filter').fill('chen');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('1 of 6 shown.').waitFor();
    await page.getByRole('button', { name: 'Bo Chen' }).click();
    await page.getByText('Chosen from the pick list.').waitFor();
    expect(await page.getByLabel('Description', { exact: true }).inputValue()).toBe(
      'Client 77\nline two',
    );
    expect(await chosenLabel(assignee)).toBe('Bo Chen · Staff · Billing');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL((u) => /^\/tickets\/\d+$/.test(u.pathname));
    expect(await page.locator('dt:text("Assigned To") + dd').textContent()).toBe('Bo Chen');
    expect(await page.locator('#associated-staff').textContent()).toContain('Dee Moss');
    await context.close();
  });
});
