import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import { haveChromium, signInAs, useLiveChromium } from '../helpers/browser.js';
import { ticketsTitled } from '../helpers/db.js';
import { storeTicketWithPhi } from '../helpers/phi.js';

/** Every byte the server keeps on disk, as text, to show what it never wrote in clear. */
function everythingOnDisk(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'))
    .join('\n');
}

describe.runIf(haveChromium)('in Chromium: an ended session loses nothing', () => {
  const s = useLiveChromium({ ann: { name: 'Ann Lee' }, bo: { name: 'Bo Chen' } });

  async function lastSeen(): Promise<string[]> {
    const rows = await s.live.app.db
      .selectFrom('sessions')
      .select('last_seen_at')
      .where('staff_id', '=', s.id('ann'))
      .execute();
    return rows.map((r) => r.last_seen_at);
  }

  /** Ann, signed in, with the ticket window open from the Help button. */
  async function openTicketWindow() {
    const { context, page } = await s.signedIn('ann');
    await page.getByRole('link', { name: 'Help' }).click();
    return { context, page, dialog: page.getByRole('dialog', { name: 'New ticket' }) };
  }

  /** Signs in again in the window the page opens, as the person would. */
  async function signInAgain(context: BrowserContext, page: Page, username = 'ann') {
    const popup = context.waitForEvent('page');
    await page
      .getByRole('dialog', { name: 'Your session ended' })
      .getByRole('button', { name: 'Sign in again' })
      .click();
    const window = await popup;
    await window.getByLabel('Username').fill(username);
    await window.getByLabel('Password').fill(PASSWORD);
    await window.getByRole('button', { name: 'Sign in' }).click();
    await window.waitForURL((u) => u.pathname === '/session/signed-in');
  }

  it('warns a minute before the idle timeout; the warning’s check does not count, Stay signed in does', async () => {
    const context = await s.browser.newContext();
    const page = await context.newPage();
    await page.clock.install();
    await signInAs(page, s.live.url, 'ann');
    const [before] = await lastSeen();
    s.live.clock.advanceMinutes(14);
    await page.clock.fastForward('14:00');
    const warning = page.getByRole('dialog', { name: 'Still there?' });
    await warning.getByText('signed out in about a minute').waitFor();
    // Asking how long is left is a background request: the session is as idle as it was.
    expect(await lastSeen()).toEqual([before]);
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent'))
      .toBe('Stay signed in');
    await warning.getByRole('button', { name: 'Stay signed in' }).click();
    await warning.waitFor({ state: 'hidden' });
    await expect.poll(lastSeen).toEqual([s.live.clock.now().toISOString()]);
    // Fourteen minutes after the press, the session is still there.
    s.live.clock.advanceMinutes(14);
    await page.goto(`${s.live.url}/profile`);
    expect(new URL(page.url()).pathname).toBe('/profile');
    await context.close();
  });

  it('a Save that meets an ended session: the page blanks, keeps the ticket, and saves it once after signing in', async () => {
    const { context, page, dialog } = await openTicketWindow();
    const description = 'Client 48213 seen 11/02: claim denied twice';
    // Typing a title asks for similar tickets, a request of its own: answered before
    // the session ends, so that the Save is what meets the ended session.
    const similar = page.waitForResponse((r) => r.url().endsWith('/tickets/similar'));
    await dialog.getByLabel('Title', { exact: true }).fill('Claim keeps bouncing');
    await similar;
    await dialog.getByLabel('Description', { exact: true }).fill(description);
    s.live.clock.advanceMinutes(16);
    await dialog.getByRole('button', { name: 'Save' }).click();

    const ended = page.getByRole('dialog', { name: 'Your session ended' });
    await ended.waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.getByText(description).count()).toBe(0);
    expect(await page.locator('#main').textContent()).toBe('');
    const stored = String(
      await page.evaluate(
        'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
      ),
    );
    expect(stored).not.toContain('48213');

    await signInAgain(context, page);
    await page
      .locator('#flash')
      .getByText(/Ticket #\d+ created\./)
      .waitFor();
    const made = await s.live.app.db
      .selectFrom('tickets')
      .select(['id', 'description'])
      .where('title', '=', 'Claim keeps bouncing')
      .execute();
    expect(made).toHaveLength(1);
    expect(s.live.app.phi.decrypt(made[0]?.description ?? '')).toBe(description);
    expect(everythingOnDisk(s.live.dataDir)).not.toContain('48213');
    await context.close();
  });

  it('a session that ends by itself blanks the ticket page; the typed note is back after signing in', async () => {
    const { ticketId } = await storeTicketWithPhi(s.live.app, {
      staffId: s.id('ann'),
      title: 'Scanner offline',
      description: 'Intake scans for client 77120 are missing',
    });
    const context = await s.browser.newContext();
    const page = await context.newPage();
    await page.clock.install();
    await signInAs(page, s.live.url, 'ann');
    await page.goto(`${s.live.url}/tickets/${ticketId}`);
    await page.getByText('client 77120').waitFor();
    await page.getByLabel('Add a note').fill('Called the vendor, waiting');
    s.live.clock.advanceMinutes(16);
    await page.clock.fastForward('14:00');
    await page.getByRole('dialog', { name: 'Your session ended' }).waitFor();
    expect(await page.getByText('client 77120').count()).toBe(0);
    expect(await page.getByText('Scanner offline').count()).toBe(0);

    await signInAgain(context, page);
    await page.getByText('client 77120').waitFor();
    expect(await page.getByLabel('Add a note').inputValue()).toBe('Called the vendor, waiting');
    expect(await page.getByRole('dialog', { name: 'Your session ended' }).isVisible()).toBe(false);
    await context.close();
  });

  it('a look for similar titles that meets an ended session keeps the ticket and does not save it', async () => {
    const { context, page, dialog } = await openTicketWindow();
    await dialog.getByLabel('Description', { exact: true }).fill('Client 60418 called twice');
    s.live.clock.advanceMinutes(16);
    // The title is typed after the session ended: its look for similar tickets meets it.
    await dialog.getByLabel('Title', { exact: true }).fill('Fax line dead');
    await page.getByRole('dialog', { name: 'Your session ended' }).waitFor();
    await signInAgain(context, page);
    const back = page.getByRole('dialog', { name: 'New ticket' });
    await back.getByLabel('Title', { exact: true }).waitFor();
    expect(await back.getByLabel('Title', { exact: true }).inputValue()).toBe('Fax line dead');
    expect(await back.getByLabel('Description', { exact: true }).inputValue()).toBe(
      'Client 60418 called twice',
    );
    expect(await ticketsTitled(s.live.app.db, 'Fax line dead')).toHaveLength(0);
    await context.close();
  });

  it('someone else signing in does not get the page back', async () => {
    const { context, page, dialog } = await openTicketWindow();
    await dialog.getByLabel('Description', { exact: true }).fill('Client 55310 details');
    s.live.clock.advanceMinutes(16);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog', { name: 'Your session ended' }).waitFor();
    await signInAgain(context, page, 'bo');
    await page.waitForURL(`${s.live.url}/`);
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    expect(await page.getByText('Client 55310').count()).toBe(0);
    expect(await page.locator('header .person').textContent()).toBe('Bo Chen');
    await context.close();
  });
});
