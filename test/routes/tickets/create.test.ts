import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addStaff,
  type Browser,
  createTestAppWith,
  signIn,
  type TestApp,
} from '../../helpers/app.js';
import { createTicket } from '../../helpers/tickets.js';

let t: TestApp;
let ann: Browser;
let boId: number;
beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Ann Lee' } });
  boId = (await addStaff(t.app, 'bo', { name: 'Bo Chen', department: 'Billing' })).id;
  const gone = await addStaff(t.app, 'gone', { name: 'Gone Person' });
  await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', gone.id).execute();
  ann = await signIn(t.app, 'ann');
});
afterAll(() => t.close());

const valid = {
  title: 'Cannot open the billing module',
  due_date: '',
  priority: 'none',
  description: '',
  assignee: 'self',
};

async function submit(fields: Record<string, string>) {
  await ann.get('/tickets/new');
  return ann.post('/tickets', { ...valid, ...fields });
}

describe('the ticket window', () => {
  it('shows the fields labelled as staff know them, with the title hint and New status', async () => {
    const page = await ann.get('/tickets/new?from=/tickets?q=secret');
    expect(page.statusCode).toBe(200);
    for (const label of ['Title', 'Date due', 'Priority', 'Status', 'Description', 'Assigned To']) {
      expect(page.body).toContain(`>${label}<`);
    }
    expect(page.body).toContain('Do not put client information here: the title travels in email.');
    expect(page.body).toMatch(/<option value="self" selected>\[self\]<\/option>/);
    expect(page.body).toContain('Crisis (60 to 90 minutes)');
    expect(page.body).toContain('High (48 hours)');
    expect(page.body).toContain('Crisis is for work that has stopped');
    // Only the path of the page it was opened from, never its query string.
    expect(page.body).toContain('name="opened_from" value="/tickets"');
    // Inactive staff cannot be picked.
    expect(page.body).not.toContain('Gone Person');
  });

  it('answers htmx with the dialog alone', async () => {
    const fragment = await ann.htmx('GET', '/tickets/new?from=/');
    expect(fragment.body).toMatch(/^<dialog id="ticket-dialog" data-open/);
    expect(fragment.body).not.toContain('<html');
  });

  it('creates the ticket: New, the chosen priority, redirect to the ticket page', async () => {
    const response = await submit({
      title: '  Scheduler shows the wrong week  ',
      priority: 'high',
      due_date: '2026-12-01',
      description: 'Client 4411\nDOS 11/20',
      opened_from: '/scheduler',
    });
    expect(response.statusCode).toBe(303);
    const page = await ann.get(String(response.headers.location));
    expect(page.body).toContain('Ticket #');
    expect(page.body).toContain('Scheduler shows the wrong week</h1>');
    const row = await t.app.db
      .selectFrom('tickets')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.title).toBe('Scheduler shows the wrong week');
    expect(row.status).toBe('new');
    expect(row.due_date).toBe('2026-12-01');
    expect(row.opened_from).toBe('/scheduler');
    // Stored encrypted (AES-256-GCM, as all PHI at rest); the app reads it back whole.
    expect(row.description).toMatch(/^v1:/);
    expect(row.description).not.toContain('4411');
    expect(t.app.phi.decrypt(row.description)).toBe('Client 4411\nDOS 11/20');
  });

  it('in the dialog, success closes it and says "Ticket #N created" with a link', async () => {
    await ann.get('/');
    const response = await ann.htmx('POST', '/tickets', valid);
    expect(response.statusCode).toBe(200);
    expect(response.headers['hx-retarget']).toBe('#flash');
    expect(response.headers['hx-trigger']).toBe('hd:ticket-created');
    expect(response.body).toMatch(/Ticket #(\d+) created\. <a href="\/tickets\/\1">/);
  });

  it.each([
    [{ title: '' }, 'title', 'Enter a title'],
    [{ title: '   ' }, 'title', 'Enter a title'],
    [{ title: 'x'.repeat(151) }, 'title', 'Keep the title to 150 characters'],
    [{ title: 'two\nlines' }, 'title', 'The title must be one line of plain text.'],
    [{ title: 'bell\u0007' }, 'title', 'The title must be one line of plain text.'],
    [{ due_date: '2026-02-30' }, 'due_date', 'Enter a real date'],
    [{ due_date: 'next week' }, 'due_date', 'Enter a real date'],
    [{ due_date: '2026-11-26' }, 'due_date', 'The date due cannot be before today.'],
    [{ priority: 'urgent' }, 'priority', 'Choose a priority from the list.'],
    [{ description: 'x'.repeat(20_001) }, 'description', 'up to 20,000 characters'],
    [{ assignee: '99999' }, 'assignee', 'Choose someone on the staff list.'],
    [{ assignee: 'nobody' }, 'assignee', 'Choose someone on the staff list.'],
  ])(
    'refuses %j with the message beside %s, keeping everything typed',
    async (fields, field, message) => {
      const typed = {
        title: 'Keep this title',
        description: 'Keep this description',
        due_date: '2026-12-24',
        priority: 'medium',
        ...fields,
      };
      const response = await submit(typed);
      expect(response.statusCode).toBe(422);
      const error = new RegExp(`id="new-${field}-error">([^<]*)<`).exec(response.body)?.[1];
      expect(error).toContain(message);
      expect(response.body).toContain(
        `aria-describedby="${field === 'title' || field === 'priority' || field === 'description' || field === 'assignee' ? `new-${field}-hint ` : ''}new-${field}-error"`,
      );
      if (field !== 'title') expect(response.body).toContain('value="Keep this title"');
      if (field !== 'description')
        expect(response.body).toContain('>Keep this description</textarea>');
      if (field !== 'due_date') expect(response.body).toContain('value="2026-12-24"');
      if (field !== 'priority') expect(response.body).toMatch(/<option value="medium" selected>/);
    },
  );

  it('accepts today as the date due, in the agency time zone', async () => {
    // 15:00 UTC on Nov 27 is 09:00 in Chicago: still the 27th there.
    expect((await submit({ due_date: '2026-11-27' })).statusCode).toBe(303);
  });

  it('keeps a 20,000-character description and a 150-character title', async () => {
    expect(
      (await submit({ title: 'é'.repeat(150), description: 'y'.repeat(20_000) })).statusCode,
    ).toBe(303);
  });

  it('adds the person who assigns to someone else to the associated staff, once', async () => {
    const id = await createTicket(ann, { assignee: String(boId) });
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toMatch(/id="associated-staff">\s*<li><span>Ann Lee<\/span>/);
    const self = await createTicket(ann, { assignee: 'self' });
    const rows = await t.app.db
      .selectFrom('ticket_associated_staff')
      .selectAll()
      .where('ticket_id', 'in', [id, self])
      .execute();
    expect(rows.map((r) => [r.ticket_id, r.staff_id])).toEqual([[id, rows[0]?.staff_id]]);
  });
});
