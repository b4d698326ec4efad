import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  haveChromium,
  signInAs,
  useLiveChromium,
} from '../helpers/browser.js';
import { makeImage } from '../helpers/multipart.js';

/** Where the screenshots go, to be looked at by a person after a run. */
const SHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'hushdesk-attachment-shots');

/**
 * In-page code as text: the tests are compiled without the DOM's types. Makes a
 * DataTransfer holding one file, as the clipboard or a drag from the desktop does.
 */
const transferOf = (bytes: Buffer, name: string, type: string) => `(() => {
  const data = Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([data], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }));
  return transfer;
})()`;

/** Pastes an image where the focus is, as Ctrl+V with a screenshot on the clipboard does. */
async function pasteImage(page: Page, png: Buffer, name = 'image.png') {
  await page.evaluate(`(document.activeElement ?? document.body).dispatchEvent(
    new ClipboardEvent('paste', {
      clipboardData: ${transferOf(png, name, 'image/png')}, bubbles: true, cancelable: true,
    }))`);
}

/** Drops a file on an element, as a file dragged from the desktop arrives. */
async function dropFile(page: Page, selector: string, bytes: Buffer, name: string, type: string) {
  const transfer = await page.evaluateHandle(transferOf(bytes, name, type));
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

/**
 * The image's pixels arrived: it decoded in the page. Polled from the test with
 * page.evaluate, not waitForFunction: a string predicate polled inside the page
 * is evaluated there, which the page's CSP (no 'unsafe-eval') rightly refuses.
 */
const loaded = (page: Page, selector: string) =>
  expect
    .poll(
      () =>
        page.evaluate(`(() => {
          const img = document.querySelector(${JSON.stringify(selector)});
          return Boolean(img?.complete && img.naturalWidth > 0);
        })()`),
      { timeout: 30_000 },
    )
    .toBe(true);

describe.runIf(haveChromium)(
  'in Chromium: files in the ticket window and on the ticket page',
  () => {
    const s = useLiveChromium({ ann: { name: 'Ann Lee' } });
    let screenshot: Buffer;
    beforeAll(async () => {
      screenshot = await makeImage({ width: 400, height: 240 });
      mkdirSync(SHOTS, { recursive: true });
    }, 90_000);

    it('pastes a screenshot into the ticket window, shows it before Save, removes one, and the ticket page shows its thumbnail', async () => {
      for (const width of [1280, 390]) {
        const context = await s.browser.newContext({ viewport: { width, height: 900 } });
        // Two cores shared by many test runs: give each step more than the default 30 s.
        context.setDefaultTimeout(90_000);
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await signInAs(page, s.live.url, 'ann');
        await page.getByRole('link', { name: 'Help' }).click();
        const dialog = page.getByRole('dialog', { name: 'New ticket' });
        await dialog.waitFor();
        await dialog.getByLabel('Title', { exact: true }).fill('Claims screen error');
        const description = dialog.getByLabel('Description', { exact: true });
        await description.fill('See the screenshot');
        await description.focus();
        await pasteImage(page, screenshot);
        await pasteImage(page, screenshot);
        const previews = dialog.locator('#new-files-previews li');
        await expect.poll(() => previews.count()).toBe(2);
        await loaded(page, '#new-files-previews li img');
        // Pasting put no text in the description.
        expect(await description.inputValue()).toBe('See the screenshot');
        await previews
          .nth(1)
          .getByRole('button', { name: /^Remove / })
          .click();
        await expect.poll(() => previews.count()).toBe(1);
        const chosen = await page
          .locator('#new-files')
          .evaluate((input) => (input as unknown as { files: { length: number } }).files.length);
        expect(chosen).toBe(1);
        await expectNoAxeViolations(page, `ticket window with a pasted image at ${width}`);
        await page.screenshot({ path: join(SHOTS, `ticket-window-pasted-${width}.png`) });

        await dialog.getByRole('button', { name: 'Save' }).click();
        const flash = page.locator('#flash');
        await flash.getByText(/Ticket #\d+ created\./).waitFor();
        const number = /#(\d+)/.exec((await flash.textContent()) ?? '')?.[1];
        await page.goto(`${s.live.url}/tickets/${number}`);
        const thumb = page.locator('.files-list img');
        await thumb.waitFor();
        // Thumbnails load lazily: bring it into view, as a person scrolling would.
        await thumb.scrollIntoViewIfNeeded();
        await loaded(page, '.files-list img');
        expect(await thumb.getAttribute('src')).toMatch(
          /^\/tickets\/\d+\/attachments\/\d+\/thumbnail$/,
        );
        expect(await page.locator('.files-list .file-name').first().textContent()).toMatch(
          /^Pasted .+\.png$/,
        );

        // A file dropped on the note's files, with a note, added with Add note.
        await dropFile(
          page,
          '#note-files',
          Buffer.from('%PDF-1.4\n'),
          'billing export.pdf',
          'application/pdf',
        );
        await page.locator('#note-files-previews li').getByText('billing export.pdf').waitFor();
        await page.getByLabel('Add a note').fill('The export that failed');
        await page.getByRole('button', { name: 'Add note' }).click();
        await page.locator('.files-list a[download]').getByText('billing export.pdf').waitFor();
        await expectNoAxeViolations(page, `ticket page with files at ${width}`);
        await page.screenshot({
          path: join(SHOTS, `ticket-page-files-${width}.png`),
          fullPage: true,
        });
        expect(errors).toEqual([]);
        await context.close();
      }
    }, 300_000);

    it('works without JavaScript: a picked file is saved with the ticket and shown on its page', async () => {
      const { context, page } = await s.signedIn('ann', { javaScriptEnabled: false });
      await page.goto(`${s.live.url}/tickets/new`);
      await page.getByLabel('Title', { exact: true }).fill('Printer label misaligned');
      await page.getByLabel('Attach files').setInputFiles({
        name: 'label.png',
        mimeType: 'image/png',
        buffer: screenshot,
      });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/tickets\/\d+\?created=1$/);
      await page.locator('.files-list img').scrollIntoViewIfNeeded();
      await loaded(page, '.files-list img');
      expect(await page.locator('.files-list .file-name').textContent()).toBe('label.png');
      await context.close();
    }, 120_000);
  },
);
