import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff } from '../helpers/app.js';
import {
  haveChromium,
  type LiveApp,
  launchChromium,
  signInAs,
  startLiveApp,
} from '../helpers/browser.js';

describe.runIf(haveChromium)('in Chromium: typed work is never lost', () => {
  let live: LiveApp;
  let browser: Browser;
  beforeAll(async () => {
    live = await startLiveApp();
    await addStaff(live.app, 'ann', { name: 'Ann Lee' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  async function ticketsTitled(title: string): Promise<number[]> {
    const rows = await live.app.db
      .selectFrom('tickets')
      .select('id')
      .where('title', '=', title)
      .execute();
    return rows.map((r) => r.id);
  }

  async function openWindow(page: Page) {
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.waitFor();
    return dialog;
  }

  it('a fast double click on Save makes one ticket', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, live.url, 'ann');
    const dialog = await openWindow(page);
    await dialog.getByLabel('Title', { exact: true }).fill('Double-clicked printer');
    // Hold the answer back so the second click lands while the first is in flight.
    await page.route('**/tickets', async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    const save = dialog.getByRole('button', { name: 'Save' });
    await save.dblclick();
    await page
      .locator('#flash')
      .getByText(/Ticket #\d+ created\./)
      .waitFor();
    expect(await ticketsTitled('Double-clicked printer')).toHaveLength(1);
    await context.close();
  });

  it('three posts of one ticket window make one ticket, each answered with it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, live.url, 'ann');
    const dialog = await openWindow(page);
    await dialog.getByLabel('Title', { exact: true }).fill('Scripted triple save');
    // Three plain posts of the same window at once, as a script or a stuck mouse sends them.
    const form = page.locator('#new-ticket-form');
    const field = (name: string) => form.locator(`input[name="${name}"]`).inputValue();
    const fields = {
      _csrf: await field('_csrf'),
      form_token: await field('form_token'),
      opened_from: await field('opened_from'),
      title: await field('title'),
      priority: 'none',
      assignee: 'self',
    };
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        context.request.post(`${live.url}/tickets`, { form: fields, maxRedirects: 0 }),
      ),
    );
    const landed = answers.map((r) => `${r.status()} ${r.headers().location}`);
    const ids = await ticketsTitled('Scripted triple save');
    expect(ids).toHaveLength(1);
    expect(landed).toEqual(Array(3).fill(`303 /tickets/${ids[0]}?created=1`));
    await context.close();
  });
});
