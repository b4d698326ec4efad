import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/repositories/settings.js';
import { haveChromium, trackErrors, useLiveChromium } from '../helpers/browser.js';
import { headerOf, TestSmtpServer } from '../helpers/smtp.js';

const DESK_EMAIL = 'support@procentive.example';
/** Where PHI lives: in the description and a note. It must never reach the desk's inbox. */
const PHI = 'PHI-CLIENT-7c41e2';

describe.runIf(haveChromium)('in Chromium: Send to the escalation desk', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(async () => {
    await smtp?.stop();
  });
  const s = useLiveChromium(
    {
      ann: { name: 'Ann Lee' },
      chip: { name: 'Chip Champion', role: 'champion' },
      pat: { name: 'Pat Vendor', role: 'external' },
    },
    {
      env: () => ({ SMTP_URL: smtp.url, SMTP_FROM: 'Help desk <help@agency.org>' }),
      setUp: async (live) => {
        const now = live.app.now();
        await setSetting(live.app.db, 'escalation_desk_name', 'Procentive Support', null, now);
        await setSetting(live.app.db, 'escalation_desk_email', DESK_EMAIL, null, now);
      },
    },
  );

  it('staff are offered the champions; the champion sends; the desk gets title-only mail; External support sees that ticket alone', async () => {
    // Ann may not send: the ticket window says so and names the champions.
    const { context: annContext, page: ann, errors } = await s.signedIn('ann');
    await ann.getByRole('link', { name: 'Help' }).click();
    const dialog = ann.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByText('Only champions can send tickets to Procentive Support.').waitFor();
    expect(await dialog.getByText(/Chip Champion\./).count()).toBe(1);
    expect(await dialog.getByLabel('Send to Procentive Support').count()).toBe(0);
    await dialog.getByLabel('Title', { exact: true }).fill('Claims export fails');
    await dialog.getByLabel('Description', { exact: true }).fill(`Client ${PHI}, DOS 11/20`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await ann
      .locator('#flash')
      .getByText(/Ticket #\d+ created\./)
      .waitFor();
    const number = /#(\d+)/.exec((await ann.locator('#flash').textContent()) ?? '')?.[1];
    // A second ticket that is never sent, for External support not to see.
    await ann.getByRole('link', { name: 'Help' }).click();
    await dialog.getByLabel('Title', { exact: true }).fill('Printer jam in billing');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await ann
      .locator('#flash')
      .getByText(/Ticket #\d+ created\./)
      .waitFor();

    // On the ticket page, one click hands it to the champion.
    await ann.goto(`${s.live.url}/tickets/${number}`);
    await ann.getByLabel('Add a note').fill(`Also seen for ${PHI}`);
    await ann.getByRole('button', { name: 'Add note' }).click();
    await ann.getByText('Note added.').waitFor();
    await ann.getByRole('button', { name: 'Assign to Chip Champion' }).click();
    await ann
      .getByText(/Assigned to Chip Champion; they can send it to Procentive Support/)
      .waitFor();
    await annContext.close();

    // Chip ticks the box and saves.
    const { context: chipContext, page: chip } = await s.signedIn('chip');
    trackErrors(chip, errors);
    await chip.goto(`${s.live.url}/tickets/${number}`);
    expect(await chip.getByText('Only champions').count()).toBe(0);
    await chip.getByLabel('Send to Procentive Support').check();
    await chip.getByRole('button', { name: 'Save', exact: true }).click();
    await chip.locator('#ticket').getByText('Sent to Procentive Support.').waitFor();
    const mark = await chip.locator('#sent-to-desk').textContent();
    expect(mark).toMatch(/Sent to Procentive Support on .+ by Chip Champion\./);
    expect(await chip.getByLabel('Send to Procentive Support').count()).toBe(0);
    await chip.locator('#timeline').getByText('sent the ticket to Procentive Support.').waitFor();
    await chipContext.close();

    // The worker sends; the desk's inbox holds the title, number, link and sender only.
    await s.live.app.outbox.runOnce();
    const toDesk = smtp.received.filter((m) => m.envelopeTo.includes(DESK_EMAIL));
    expect(toDesk).toHaveLength(1);
    const mail = toDesk[0] as (typeof toDesk)[number];
    expect(mail.raw).not.toContain(PHI);
    expect(headerOf(mail.raw, 'subject')).toBe(`[hushdesk #${number}] Claims export fails`);
    const parsed = await smtp.parse(mail);
    expect(parsed.text).toContain('Chip Champion sent ticket');
    expect(parsed.text).toContain(`Ticket #${number}: Claims export fails`);
    expect(parsed.text).toContain(`${s.live.url}/tickets/${number}`);
    expect(`${parsed.text}${parsed.html}`).not.toContain(PHI);
    expect(parsed.text).not.toContain('DOS');

    // External support sees the sent ticket, its description and notes, and nothing else.
    const { context: patContext, page: pat } = await s.signedIn('pat');
    trackErrors(pat, errors);
    await pat.getByRole('heading', { name: 'Tickets sent to Procentive Support' }).waitFor();
    expect(await pat.locator('table.tickets tbody tr').count()).toBe(1);
    expect(await pat.getByText('Printer jam in billing').count()).toBe(0);
    expect(await pat.getByRole('link', { name: 'Help' }).count()).toBe(0);
    await pat.getByRole('link', { name: 'Claims export fails' }).click();
    await pat.getByText(`Client ${PHI}, DOS 11/20`).waitFor();
    expect(await pat.getByLabel('Title', { exact: true }).count()).toBe(0);
    await pat.getByLabel('Status').selectOption('in_progress');
    await pat.getByRole('button', { name: 'Save', exact: true }).click();
    await pat.locator('#ticket').getByText('Saved.').waitFor();
    await pat.getByLabel('Add a note').fill('Looking into it');
    await pat.getByRole('button', { name: 'Add note' }).click();
    await pat.getByText('Note added.').waitFor();
    await patContext.close();

    expect(errors).toEqual([]);
  });
});
