import type { Browser, TestApp } from './app.js';
import { signIn, useTestAppWith } from './app.js';
import { postFiles } from './multipart.js';

/**
 * Within the calling file: the attachment tests' agency, Ann and Bob (staff) and
 * Ada (an administrator), each signed in.
 */
export function useAttachmentsApp() {
  return useTestAppWith({ ann: {}, bob: {}, ada: { role: 'admin' } }, async (t) => ({
    ann: await signIn(t.app, 'ann'),
    bob: await signIn(t.app, 'bob'),
    admin: await signIn(t.app, 'ada'),
  }));
}

export const TICKET = {
  title: 'Scheduling screen error',
  due_date: '',
  priority: 'none',
  description: 'Client 4411 could not be booked',
  assignee: 'self',
};

/** Posts the ticket window with files, as the browser does once the window is open. */
export async function newTicketWithFiles(browser: Browser, files: Parameters<typeof postFiles>[3]) {
  await browser.get('/tickets/new');
  return postFiles(browser, '/tickets', TICKET, files);
}

export const createdId = (location: unknown) =>
  Number(/^\/tickets\/(\d+)/.exec(String(location))?.[1]);

export async function attachmentsOf(t: TestApp, ticketId: number) {
  return t.app.db
    .selectFrom('ticket_attachments')
    .select(['id', 'kind', 'content_type', 'size', 'note_id'])
    .where('ticket_id', '=', ticketId)
    .orderBy('id')
    .execute();
}

export const countRows = async (t: TestApp) =>
  Number(
    (
      await t.app.db
        .selectFrom('ticket_attachments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
