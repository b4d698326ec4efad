import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addStaff,
  type Browser,
  createTestAppWith,
  signIn,
  type TestApp,
} from '../../helpers/app.js';
import { storedTicket } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { createTicket, editBase, saveTicket } from '../../helpers/tickets.js';

let t: TestApp;
let ann: Browser;
let bo: Browser;
let boId: number;
beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Ann Lee' } });
  boId = (await addStaff(t.app, 'bo', { name: 'Bo Chen' })).id;
});
// Some tests move the clock by hours or days: everyone signs in afresh for each test.
beforeEach(async () => {
  ann = await signIn(t.app, 'ann');
  bo = await signIn(t.app, 'bo');
});
afterAll(() => t.close());

const completedDate = async (id: number) => (await storedTicket(t.app.db, id)).completed_date;

describe('the ticket page', () => {
  it('shows every field, the creator, Opened from and a timeline', async () => {
    const id = await createTicket(ann, {
      title: 'Fax queue stuck',
      opened_from: '/billing/claims',
      priority: 'low',
    });
    const page = await ann.get(`/tickets/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain(`#${id} Fax queue stuck</h1>`);
    expect(page.body).toContain('<dt>Opened from</dt><dd>/billing/claims</dd>');
    expect(page.body).toContain('<dt>Date completed</dt><dd id="date-completed">Not complete</dd>');
    expect(page.body).toMatch(/<dt>Created by<\/dt><dd>Ann Lee, Nov 27, 2026, 9:00 AM<\/dd>/);
    expect(page.body).toContain('created the ticket.');
  });

  it('sets Date completed to today (agency time) on Complete and clears it on leaving Complete', async () => {
    const id = await createTicket(ann);
    // 05:30 UTC on Nov 28 is still Nov 27 in Chicago.
    t.clock.advance(Date.parse('2026-11-28T05:30:00Z') - t.clock.now().getTime());
    ann = await signIn(t.app, 'ann');
    expect((await saveTicket(ann, id, { status: 'complete' })).statusCode).toBe(303);
    expect(await completedDate(id)).toBe('2026-11-27');
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toContain('<dd id="date-completed">Nov 27, 2026</dd>');
    expect(page.body).toContain('changed Status from <q>New</q> to <q>Complete</q>');

    expect((await saveTicket(ann, id, { status: 'in_progress' })).statusCode).toBe(303);
    expect(await completedDate(id)).toBeNull();
    const after = await ann.get(`/tickets/${id}`);
    expect(after.body).toContain('changed Date completed from <q>Nov 27, 2026</q> to <q>none</q>');
  });

  it('records a description edit without its content', async () => {
    const id = await createTicket(ann, { description: 'Client 1234 first words' });
    await saveTicket(ann, id, { description: 'Client 1234 MARKER-TL-99 changed words' });
    const events = await t.app.db
      .selectFrom('ticket_events')
      .selectAll()
      .where('ticket_id', '=', id)
      .execute();
    expect(JSON.stringify(events)).not.toContain('MARKER-TL-99');
    expect(JSON.stringify(events)).not.toContain('first words');
    expect((await ann.get(`/tickets/${id}`)).body).toContain('edited the Description.');
  });

  it('keeps what was typed on a validation error', async () => {
    const id = await createTicket(ann);
    const response = await saveTicket(ann, id, { title: '', description: 'typed but not saved' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('id="title-error">Enter a title');
    expect(response.body).toContain('>typed but not saved</textarea>');
  });

  it('allows a past due date to stay on an existing ticket, but not to be set anew', async () => {
    const id = await createTicket(ann, { due_date: '2026-12-02' });
    t.clock.advance(10 * 86_400_000);
    ann = await signIn(t.app, 'ann');
    expect((await saveTicket(ann, id, { title: 'Renamed while overdue' })).statusCode).toBe(303);
    const refused = await saveTicket(ann, id, { due_date: '2026-12-01' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('The date due cannot be before today.');
  });

  it('shows the second of two concurrent saves a conflict, naming who changed what, keeping its input', async () => {
    const id = await createTicket(ann, { assignee: String(boId) });
    const annBase = await editBase(ann, id);
    const boBase = await editBase(bo, id);
    expect((await saveTicket(bo, id, { status: 'waiting' }, boBase)).statusCode).toBe(303);
    const second = await saveTicket(
      ann,
      id,
      { title: 'Ann’s better title', status: 'new' },
      annBase,
    );
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('Not saved: someone changed this ticket while you were editing.');
    expect(second.body).toContain('Bo Chen changed Status from New to Waiting');
    expect(readable(second.body)).toContain('value="Ann’s better title"');
    const row = await t.app.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('waiting');
    expect(readable(row.title)).not.toBe('Ann’s better title');
    // Saving again from the conflict page applies Ann's input knowingly.
    const version = /name="version" value="(\d+)"/.exec(second.body)?.[1] ?? '';
    const seen = /name="seen_event" value="(\d+)"/.exec(second.body)?.[1] ?? '';
    const third = await saveTicket(
      ann,
      id,
      { title: 'Ann’s better title' },
      { version, seen_event: seen },
    );
    expect(third.statusCode).toBe(303);
  });

  it('answers an htmx save with the #ticket fragment and a confirmation', async () => {
    const id = await createTicket(ann);
    const base = await editBase(ann, id);
    const response = await ann.htmx('POST', `/tickets/${id}`, {
      title: 'Saved by htmx',
      priority: 'medium',
      status: 'in_progress',
      assignee: 'self',
      due_date: '',
      description: '',
      ...base,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^<section id="ticket"/);
    expect(response.body).toContain('Saved.');
  });
});

describe('notes', () => {
  it('shows notes in the timeline with author, and lets the author edit for 15 minutes only', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const added = await ann.post(`/tickets/${id}/notes`, {
      note: 'Called the vendor.\nWaiting on them.',
    });
    expect(added.statusCode).toBe(303);
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toContain('added a note');
    expect(page.body).toContain('Called the vendor.\nWaiting on them.</div>');
    const noteId = /\/notes\/(\d+)\/edit/.exec(page.body)?.[1];
    expect(noteId).toBeTruthy();

    // Bo can see the ticket? No: he is not on it, so the edit route is 404 for him.
    expect((await bo.get(`/tickets/${id}/notes/${noteId}/edit`)).statusCode).toBe(404);

    await ann.get(`/tickets/${id}/notes/${noteId}/edit`);
    expect(
      (await ann.post(`/tickets/${id}/notes/${noteId}`, { note: 'Called the vendor twice.' }))
        .statusCode,
    ).toBe(303);
    expect((await ann.get(`/tickets/${id}`)).body).toContain('edited a note');

    t.clock.advanceMinutes(10);
    await ann.get(`/tickets/${id}`);
    t.clock.advanceMinutes(6);
    const late = await ann.post(`/tickets/${id}/notes/${noteId}`, { note: 'Too late now' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('Notes can be edited for 15 minutes');
    expect((await ann.get(`/tickets/${id}`)).body).not.toContain(`/notes/${noteId}/edit`);
  });

  it('refuses an empty or oversized note, keeping the text', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const empty = await ann.post(`/tickets/${id}/notes`, { note: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('id="note-error">Write something in the note first.');
    const big = 'z'.repeat(20_001);
    const oversized = await ann.post(`/tickets/${id}/notes`, { note: big });
    expect(oversized.statusCode).toBe(422);
    expect(oversized.body).toContain(`>${big}</textarea>`);
  });
});

describe('what staff type is shown as inert text', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '<div hx-get="/x" hx-trigger="load">boom</div>',
  ];
  it.each(payloads)('%s in title, description and notes', async (payload) => {
    const id = await createTicket(ann, {
      title: `T ${payload}`.slice(0, 150),
      description: `D ${payload}`,
    });
    await ann.get(`/tickets/${id}`);
    await ann.post(`/tickets/${id}/notes`, { note: `N ${payload}` });
    for (const url of [`/tickets/${id}`, '/?tab=created']) {
      const body = (await ann.get(url)).body;
      expect(body).not.toContain(payload);
      expect(body).not.toMatch(/<script>alert|<img src=x|<div hx-get="\/x"/);
    }
    const body = (await ann.get(`/tickets/${id}`)).body;
    expect(body).toContain(
      payload
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;'),
    );
  });
});

describe('the audit log of ticket reads and changes', () => {
  const auditRows = (ticketId: number) =>
    t.app.db
      .selectFrom('audit_log')
      .select(['action', 'actor', 'detail', 'ip'])
      .where('ticket_id', '=', ticketId)
      .orderBy('id')
      .execute();

  it('writes exactly one row for a view of the ticket page, and one per change, with no PHI', async () => {
    const id = await createTicket(ann, { description: 'Client 4242 AUDIT-MARKER' });
    const before = (await auditRows(id)).length;
    await ann.get(`/tickets/${id}`);
    const afterView = await auditRows(id);
    expect(afterView.length).toBe(before + 1);
    expect(afterView.at(-1)).toMatchObject({ action: 'ticket-viewed', actor: 'Ann Lee (ann)' });

    await saveTicket(ann, id, {
      status: 'waiting',
      description: 'Client 4242 AUDIT-MARKER edited',
    });
    await ann.post(`/tickets/${id}/notes`, { note: 'AUDIT-MARKER note' });
    const rows = await auditRows(id);
    const actions = rows.map((r) => r.action);
    expect(actions[0]).toBe('ticket-created');
    expect(actions).toContain('ticket-changed');
    expect(actions).toContain('note-added');
    expect(rows.find((r) => r.action === 'ticket-changed')?.detail).toBe('Status, Description');
    expect(rows.every((r) => r.ip)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('AUDIT-MARKER');
  });
});
