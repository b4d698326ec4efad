import { describe, expect, it } from 'vitest';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';

describe.runIf(haveChromium)('in Chromium: the title guard in the ticket window', () => {
  const s = useLiveChromium({ ann: { name: 'Ann Lee' } });

  it('a bare date asks for the box beside the title; ticked, the ticket saves', async () => {
    const { context, page } = await s.signedIn('ann');
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByLabel('Title', { exact: true }).fill('Team meeting 12/3 about forms');
    await dialog.getByLabel('Description', { exact: true }).fill('Agenda to follow');
    await dialog.getByRole('button', { name: 'Save' }).click();

    const box = dialog.getByLabel('This title holds no client information');
    await box.waitFor();
    // The message is what a screen reader hears for the title field.
    const title = dialog.getByLabel('Title', { exact: true });
    expect(await title.getAttribute('aria-describedby')).toContain('new-title-error');
    expect(await dialog.locator('#new-title-error').textContent()).toContain(
      'The title contains a date (12/3).',
    );
    expect(await title.inputValue()).toBe('Team meeting 12/3 about forms');
    expect(await dialog.getByLabel('Description', { exact: true }).inputValue()).toBe(
      'Agenda to follow',
    );

    await box.check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page
      .locator('#flash')
      .getByText(/Ticket #\d+ created\./)
      .waitFor();
    await context.close();
  });
});
