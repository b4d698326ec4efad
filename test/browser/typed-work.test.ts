import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';
import { ticketsTitled } from '../helpers/db.js';
import { insertTicket } from '../helpers/tickets.js';

describe.runIf(haveChromium)(
  'in Chromium: typed work is never lost, long text is refused, never cut',
  () => {
    const s = useLiveChromium({ ann: { name: 'Ann Lee' }, bo: { name: 'Bo Chen' } });

    async function countTickets(): Promise<number> {
      return (await s.live.app.db.selectFrom('tickets').select('id').execute()).length;
    }

    async function openWindow(page: Page) {
      await page.getByRole('link', { name: 'Help' }).click();
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      await dialog.waitFor();
      return dialog;
    }

    it('a fast double click on Save makes one ticket', async () => {
      const { context, page } = await s.signedIn('ann');
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
      expect(await ticketsTitled(s.live.app.db, 'Double-clicked printer')).toHaveLength(1);
      await context.close();
    });

    it('three posts of one ticket window make one ticket, each answered with it', async () => {
      const { context, page } = await s.signedIn('ann');
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
          context.request.post(`${s.live.url}/tickets`, { form: fields, maxRedirects: 0 }),
        ),
      );
      const landed = answers.map((r) => `${r.status()} ${r.headers().location}`);
      const ids = await ticketsTitled(s.live.app.db, 'Scripted triple save');
      expect(ids).toHaveLength(1);
      expect(landed).toEqual(Array(3).fill(`303 /tickets/${ids[0]}?created=1`));
      await context.close();
    });

    it('Save on the ticket page adds the typed note with the status change: one entry, one mail', async () => {
      const id = await insertTicket(
        s.live.app.db,
        {
          title: 'Fax queue stuck',
          createdBy: s.id('ann'),
          assigneeId: s.id('bo'),
          associated: [s.id('ann')],
        },
        new Date(),
      );
      const { context, page } = await s.signedIn('bo');
      await page.goto(`${s.live.url}/tickets/${id}`);
      await page.getByLabel('Add a note').fill('Restarted the fax service; works now.');
      await page.getByLabel('Status', { exact: true }).selectOption('complete');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved. Note added.').waitFor();
      await page
        .locator('#timeline-entries .note-body', { hasText: 'Restarted the fax service' })
        .waitFor();
      expect(await page.getByLabel('Add a note').inputValue()).toBe('');
      const notes = await s.live.app.db
        .selectFrom('ticket_events')
        .select('id')
        .where('ticket_id', '=', id)
        .where('kind', '=', 'note')
        .execute();
      expect(notes).toHaveLength(1);
      const mails = await s.live.app.db
        .selectFrom('outbox')
        .select('recipient_staff_id')
        .where('ticket_id', '=', id)
        .where('kind', '=', 'note_added')
        .execute();
      // The creator hears of the note once; the status change is its own kind of mail.
      expect(mails).toEqual([{ recipient_staff_id: s.id('ann') }]);
      expect(
        (
          await s.live.app.db
            .selectFrom('tickets')
            .select('status')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).status,
      ).toBe('complete');
      await context.close();
    });

    it('a 50,000-character paste and a 315-character title are refused with the input kept', async () => {
      const { context, page } = await s.signedIn('ann');
      const ticketsBefore = await countTickets();
      const dialog = await openWindow(page);
      const title = 'T'.repeat(315);
      const description = 'd'.repeat(50_000);
      await dialog.getByLabel('Title', { exact: true }).fill(title);
      await dialog.getByLabel('Description', { exact: true }).fill(description);
      // The browser keeps every character and counts them near the limit.
      expect(await dialog.getByLabel('Title', { exact: true }).inputValue()).toHaveLength(315);
      await dialog.getByText('165 characters over the limit of 150').waitFor();
      await dialog.getByText('30,000 characters over the limit of 20,000').waitFor();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText('Keep the title to 150 characters').waitFor();
      await dialog.getByText('this one has 50,000').waitFor();
      expect(await dialog.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
      expect(await dialog.getByLabel('Description', { exact: true }).inputValue()).toBe(
        description,
      );
      // Earlier tests in this block made tickets: nothing is added by this one.
      expect(await countTickets()).toBe(ticketsBefore);
      await context.close();
    });

    it('Escape and Close ask first; No keeps the text, Yes discards it', async () => {
      const { context, page } = await s.signedIn('ann');
      await page.getByRole('link', { name: 'Help' }).click();
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      const title = dialog.getByLabel('Title', { exact: true });
      await title.fill('Half-written ticket');
      const asked: string[] = [];
      let answer = false;
      page.on('dialog', async (question) => {
        asked.push(question.message());
        await (answer ? question.accept() : question.dismiss());
      });
      await title.press('Escape');
      await dialog.getByRole('button', { name: 'Close' }).click();
      expect(asked).toEqual(Array(2).fill('Discard this ticket? What you typed will be lost.'));
      expect(await title.inputValue()).toBe('Half-written ticket');
      answer = true;
      await title.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(asked).toHaveLength(3);

      // An untouched window closes at once, without a question.
      await page.getByRole('link', { name: 'Help' }).click();
      await page
        .getByRole('dialog', { name: 'New ticket' })
        .getByLabel('Title', { exact: true })
        .press('Escape');
      await page.getByRole('dialog', { name: 'New ticket' }).waitFor({ state: 'detached' });
      expect(asked).toHaveLength(3);
      await context.close();
    });
  },
);
