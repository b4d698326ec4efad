import { expect } from 'vitest';
import type { Db } from '../../src/db/index.js';
import type { TicketStatus } from '../../src/db/schema.js';
import type { Browser } from './app.js';

export interface TicketFields {
  title?: string;
  due_date?: string;
  priority?: string;
  description?: string;
  assignee?: string;
  opened_from?: string;
  /** The champions' "Send to <desk>" checkbox: '1' when ticked. */
  send_to_desk?: string;
  /** The title guard's "This title holds no client information" box: 'yes' when ticked. */
  title_no_phi?: string;
}

/** Creates a ticket through the real form (the no-JavaScript path) and returns its number. */
export async function createTicket(browser: Browser, fields: TicketFields = {}): Promise<number> {
  await browser.get('/tickets/new');
  const response = await browser.post('/tickets', {
    title: 'Printer in billing will not print',
    due_date: '',
    priority: 'none',
    description: '',
    assignee: 'self',
    ...fields,
  });
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
  const match = /^\/tickets\/(\d+)\?created=1$/.exec(String(response.headers.location));
  if (!match) throw new Error(`unexpected redirect ${response.headers.location}`);
  return Number(match[1]);
}

/** The hidden version and last-seen event of the ticket page's form, as a browser would send them. */
export async function editBase(browser: Browser, id: number) {
  const page = await browser.get(`/tickets/${id}`);
  const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
  const seen = /name="seen_event" value="(\d+)"/.exec(page.body)?.[1] ?? '';
  return { version, seen_event: seen };
}

/** The whole edit form as the ticket page would post it, with some fields changed. */
export async function saveTicket(
  browser: Browser,
  id: number,
  changes: Record<string, string>,
  base?: { version: string; seen_event: string },
) {
  const page = await browser.get(`/tickets/${id}`);
  const field = (name: string) =>
    new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page.body)?.[1] ?? '';
  const selected = (name: string) => {
    const select =
      new RegExp(`<select id="${name}" name="${name}"[\\s\\S]*?</select>`).exec(page.body)?.[0] ??
      '';
    return /<option value="([^"]*)" selected/.exec(select)?.[1] ?? '';
  };
  const description =
    /<textarea id="description"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)?.[1] ?? '';
  const form = {
    title: decode(field('title')),
    due_date: field('due_date'),
    priority: selected('priority'),
    status: selected('status'),
    description: decode(description),
    assignee: selected('assignee'),
    ...(base ?? { version: field('version'), seen_event: field('seen_event') }),
    ...changes,
  };
  return browser.post(`/tickets/${id}`, form);
}

function decode(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Tickets written straight into the tables, for tests that need a ticket but
 * not the ticket screens.
 */
export async function insertTicket(
  db: Db,
  ticket: {
    title: string;
    description?: string | null;
    createdBy: number;
    assigneeId?: number | null;
    associated?: number[];
    status?: TicketStatus;
    dueDate?: string | null;
  },
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const priority = await db
    .selectFrom('priorities')
    .select('id')
    .where('key', '=', 'none')
    .executeTakeFirstOrThrow();
  const { id } = await db
    .insertInto('tickets')
    .values({
      title: ticket.title,
      description: ticket.description ?? null,
      priority_id: priority.id,
      status: ticket.status ?? 'new',
      due_date: ticket.dueDate ?? null,
      assignee_id: ticket.assigneeId ?? null,
      created_by: ticket.createdBy,
      opened_from: null,
      completed_date: null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const staffId of ticket.associated ?? []) {
    await db
      .insertInto('ticket_associated_staff')
      .values({ ticket_id: id, staff_id: staffId, added_by: ticket.createdBy, added_at: at })
      .execute();
  }
  return id;
}

export async function insertNote(
  db: Db,
  note: { ticketId: number; staffId: number; body: string },
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const { id } = await db
    .insertInto('ticket_notes')
    .values({
      ticket_id: note.ticketId,
      staff_id: note.staffId,
      body: note.body,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
