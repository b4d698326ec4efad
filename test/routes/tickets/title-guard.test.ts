import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TITLE_CONFIRMED_ACTION } from '../../../src/tickets/title-guard.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { storedTicket } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { createTicket, insertTicket, saveTicket } from '../../helpers/tickets.js';

let t: TestApp;
let ann: Browser;
let annId: number;
beforeAll(async () => {
  t = await createTestApp();
  annId = (await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin' })).id;
  ann = await signIn(t.app, 'ann');
  // The agency's own client number format, set where an administrator sets it.
  await ann.get('/settings/security');
  const saved = await ann.post('/settings/security', {
    title_patterns: '\\bC-\\d{4,6}\\b',
    audit_retention_years: '6',
  });
  expect(saved.statusCode).toBe(303);
});
afterAll(() => t.close());

const typed = {
  due_date: '2026-12-04',
  priority: 'high',
  description: 'Typed details stay here',
  assignee: 'self',
};

async function submit(fields: Record<string, string>) {
  await ann.get('/tickets/new');
  return ann.post('/tickets', { ...typed, ...fields });
}

function confirmations(ticketId?: number) {
  let query = t.app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', TITLE_CONFIRMED_ACTION);
  if (ticketId !== undefined) query = query.where('ticket_id', '=', ticketId);
  return query.orderBy('id').execute();
}

async function ticketCount() {
  const row = await t.app.db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const refused: [string, string, string][] = [
  ['a Social Security number', 'Claim for 123-45-6789 was denied', 'a Social Security number'],
  ['a phone number', 'Call back 555-123-4567', 'a phone number'],
  ['an email address', 'Statement went to jo.doe@gmail.com', 'an email address'],
  ['the word DOB', 'Wrong DOB on the face sheet', 'the word “DOB”'],
  ['the word SSN', 'SSN missing from the intake', 'the word “SSN”'],
  ['the word MRN', 'MRN does not match the chart', 'the word “MRN”'],
  ['client #', 'Client # missing on the statement', '“Client #”'],
  ['a client number', 'Client no. 4471 has two statements', 'a client or record number'],
  ['an old full date', 'Check the record from 3/14/1961', 'a date (3/14/1961) that could be'],
  [
    'the agency’s own format',
    'Statement for C-20417 is late',
    'something in one of your agency’s client or record number formats',
  ],
];

describe('the ticket window refuses a title that looks like PHI', () => {
  it.each(refused)('%s', async (_name, title, what) => {
    const before = await ticketCount();
    const response = await submit({ title });
    expect(response.statusCode).toBe(422);
    expect(readable(response.body)).toContain(
      `<p class="field-error" id="new-title-error">The title seems to contain ${what}`,
    );
    expect(response.body).toContain('move it to the Description');
    // The input points at the message, and everything typed is still there.
    expect(response.body).toMatch(
      /<input id="new-title" [^>]*aria-describedby="new-title-hint new-title-error" aria-invalid=true>/,
    );
    expect(response.body).toContain(`value="${title}"`);
    expect(response.body).toContain('>Typed details stay here</textarea>');
    expect(response.body).toContain('value="2026-12-04"');
    expect(response.body).toMatch(/<option value="high" selected>/);
    // A refusal is final: no box to tick it through.
    expect(response.body).not.toContain('name="title_no_phi"');
    expect(await ticketCount()).toBe(before);
  });

  it('answers the dialog (htmx) with the form and the message beside the title', async () => {
    await ann.get('/tickets/new');
    const response = await ann.htmx('POST', '/tickets', {
      ...typed,
      title: 'Call back 555-123-4567',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/^<form id="new-ticket-form"/);
    expect(response.body).toContain(
      'id="new-title-error">The title seems to contain a phone number',
    );
  });

  it('shows the guard’s message beside the other fields’ messages at once', async () => {
    const response = await submit({ title: 'Call back 555-123-4567', due_date: '2026-11-01' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(
      'id="new-title-error">The title seems to contain a phone number',
    );
    expect(response.body).toContain('id="new-due_date-error">');
  });

  it('lets an ordinary title through without asking', async () => {
    const before = (await confirmations()).length;
    const response = await submit({ title: 'Printer in billing will not print' });
    expect(response.statusCode).toBe(303);
    expect(await confirmations()).toHaveLength(before);
  });
});

describe('a bare date in the ticket window', () => {
  it('asks for the box to be ticked, keeping what was typed', async () => {
    const before = await ticketCount();
    const response = await submit({ title: 'Team meeting 12/3 about the new forms' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('id="new-title-error">The title contains a date (12/3).');
    expect(readable(response.body)).toContain('tick “This title holds no client information”');
    expect(response.body).toMatch(
      /<input type="checkbox" id="new-title_no_phi" name="title_no_phi" value="yes" >\s*<span>This title holds no client information<\/span>/,
    );
    expect(response.body).toContain('value="Team meeting 12/3 about the new forms"');
    expect(response.body).toContain('>Typed details stay here</textarea>');
    expect(await ticketCount()).toBe(before);
  });

  it('saves with the box ticked and records the confirmation with the ticket', async () => {
    const id = await createTicket(ann, {
      title: 'Team meeting 12/3 about the new forms',
      title_no_phi: 'yes',
    });
    const rows = await confirmations(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      staff_id: annId,
      actor: 'Ann Lee (ann)',
      ticket_id: id,
      detail: 'title held a date; confirmed as no client information',
    });
    // The date itself stays out of the audit log.
    expect(rows[0]?.detail).not.toContain('12/3');
  });

  it('keeps the box ticked when another field sends the form back', async () => {
    const before = (await confirmations()).length;
    const response = await submit({
      title: 'Team meeting 12/3 about the new forms',
      title_no_phi: 'yes',
      due_date: '2026-11-01',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).not.toContain('id="new-title-error"');
    expect(response.body).toMatch(/name="title_no_phi" value="yes" checked>/);
    expect(await confirmations()).toHaveLength(before);
  });
});

describe('the ticket page', () => {
  it('refuses a new title that looks like PHI, keeping the edit', async () => {
    const id = await createTicket(ann);
    const response = await saveTicket(ann, id, {
      title: 'Call back 555-123-4567',
      description: 'Edited details',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(
      '<p class="field-error" id="title-error">The title seems to contain a phone number',
    );
    expect(response.body).toMatch(
      /<input id="title" [^>]*aria-describedby="title-hint title-error" aria-invalid=true>/,
    );
    expect(response.body).toContain('value="Call back 555-123-4567"');
    expect(response.body).toContain('>Edited details</textarea>');
    const row = await storedTicket(t.app.db, id);
    expect(row.title).toBe('Printer in billing will not print');
  });

  it('asks about a new title with a bare date, and records the confirmation on save', async () => {
    const id = await createTicket(ann);
    const asked = await saveTicket(ann, id, { title: 'Follow up on Dec 3' });
    expect(asked.statusCode).toBe(422);
    expect(asked.body).toContain('id="title-error">The title contains a date (Dec 3).');
    expect(asked.body).toContain('name="title_no_phi" value="yes" >');
    const saved = await saveTicket(ann, id, { title: 'Follow up on Dec 3', title_no_phi: 'yes' });
    expect(saved.statusCode).toBe(303);
    const rows = await confirmations(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ staff_id: annId, ticket_id: id });
    expect(rows[0]?.detail).not.toContain('Dec 3');
  });

  it('does not judge again a title that did not change', async () => {
    // A title saved before the guard existed: other fields still save.
    const id = await insertTicket(
      t.app.db,
      { title: 'Call back 555-123-4567', createdBy: annId },
      t.app.now(),
    );
    const response = await saveTicket(ann, id, { status: 'in_progress' });
    expect(response.statusCode).toBe(303);
    const row = await storedTicket(t.app.db, id);
    expect(row).toMatchObject({ title: 'Call back 555-123-4567', status: 'in_progress' });
    expect(await confirmations(id)).toHaveLength(0);
  });
});
