import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../../src/repositories/settings.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { storedTicket } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { createTicket, insertNote, insertTicket } from '../../helpers/tickets.js';

let t: TestApp;
let pat: Browser;
let sent: number;
let hidden: number[];
let hiddenNote: number;
let ids: Record<'chip' | 'ann' | 'pat', number>;

beforeAll(async () => {
  t = await createTestApp();
  const now = t.app.now();
  await setSetting(t.app.db, 'escalation_desk_name', 'Procentive Support', null, now);
  await setSetting(t.app.db, 'escalation_desk_email', 'support@procentive.example', null, now);
  ids = {
    chip: (await addStaff(t.app, 'chip', { name: 'Chip Champion', role: 'champion' })).id,
    ann: (await addStaff(t.app, 'ann', { name: 'Ann Lee' })).id,
    pat: (await addStaff(t.app, 'pat', { name: 'Pat Vendor', role: 'external' })).id,
  };
  const chip = await signIn(t.app, 'chip');
  const ann = await signIn(t.app, 'ann');
  sent = await createTicket(ann, {
    title: 'Claims export fails',
    description: 'Client 4411, DOS 11/20',
    assignee: String(ids.chip),
  });
  await chip.get(`/tickets/${sent}`);
  expect((await chip.post(`/tickets/${sent}/escalate`)).statusCode).toBe(303);
  expect((await chip.post(`/tickets/${sent}/notes`, { note: 'Tried a restart' })).statusCode).toBe(
    303,
  );
  // Not sent, however close to Pat: created by, assigned to, associated with Pat.
  hidden = [
    await createTicket(ann, { title: 'Printer jam in billing' }),
    await insertTicket(t.app.db, { title: 'Pat created this', createdBy: ids.pat }, now),
    await insertTicket(
      t.app.db,
      { title: 'Pat is assigned', createdBy: ids.ann, assigneeId: ids.pat },
      now,
    ),
    await insertTicket(
      t.app.db,
      { title: 'Pat is associated', createdBy: ids.ann, associated: [ids.pat] },
      now,
    ),
  ];
  hiddenNote = await insertNote(
    t.app.db,
    { ticketId: hidden[1] as number, staffId: ids.pat, body: 'Pat’s own note' },
    now,
  );
  pat = await signIn(t.app, 'pat');
});
afterAll(() => t.close());

const HIDDEN_TITLES = ['Printer jam', 'Pat created this', 'Pat is assigned', 'Pat is associated'];

describe('External support sees only tickets sent to the desk', () => {
  it('My tickets lists the sent ticket and no other, with no staff list to filter by', async () => {
    for (const url of ['/', '/?tab=created', '/?tab=associated', '/?status=any', '/?q=Pat']) {
      const page = await pat.get(url);
      expect(page.statusCode, url).toBe(200);
      for (const title of HIDDEN_TITLES) expect(page.body, url).not.toContain(title);
    }
    const page = await pat.get('/?status=any');
    expect(page.body).toContain('<h1>Tickets sent to Procentive Support</h1>');
    expect(page.body).toContain(`id="ticket-${sent}"`);
    expect(page.body).toContain('1 ticket');
    const filter = /<select id="f-assignee"[\s\S]*?<\/select>/.exec(page.body)?.[0] ?? '';
    expect(filter).not.toContain('Ann Lee');
    expect(filter).not.toContain('Chip Champion');
    const fragment = await pat.htmx('GET', '/?status=any&sort=created');
    expect(fragment.body).toMatch(/^<section id="ticket-list">/);
    expect(fragment.body).toContain(`id="ticket-${sent}"`);
    for (const title of HIDDEN_TITLES) expect(fragment.body).not.toContain(title);
  });

  it('shows the sent ticket: description, notes, the mark; status is the only field to edit', async () => {
    const page = await pat.get(`/tickets/${sent}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Client 4411, DOS 11/20');
    expect(page.body).toContain('Tried a restart');
    expect(page.body).toMatch(/Sent to Procentive Support on [^<]+ by Chip Champion\./);
    expect(page.body).toContain('<select id="status" name="status"');
    for (const field of ['title', 'due_date', 'priority', 'description', 'assignee']) {
      expect(page.body).not.toContain(`name="${field}"`);
    }
    expect(page.body).not.toContain('send_to_desk');
    expect(page.body).not.toContain('Only champions');
    expect(page.body).toContain('name="note"');
  });

  it('gets 404 for every other ticket on every ticket route, exactly as for a missing one', async () => {
    type Call = { method: 'GET' | 'POST'; url: string; form?: Record<string, string> };
    const routes = (id: number, noteId: number): Call[] => [
      { method: 'GET', url: `/tickets/${id}` },
      { method: 'POST', url: `/tickets/${id}`, form: { status: 'complete' } },
      { method: 'POST', url: `/tickets/${id}/status`, form: { status: 'complete' } },
      { method: 'POST', url: `/tickets/${id}/notes`, form: { note: 'sneaky' } },
      { method: 'GET', url: `/tickets/${id}/notes/${noteId}/edit` },
      { method: 'POST', url: `/tickets/${id}/notes/${noteId}`, form: { note: 'edited' } },
    ];
    for (const id of hidden) {
      const missing = routes(999_999, 999_999);
      for (const [i, route] of routes(id, hiddenNote).entries()) {
        for (const htmx of [false, true]) {
          await pat.get('/');
          const call = (r: {
            method: 'GET' | 'POST';
            url: string;
            form?: Record<string, string>;
          }) =>
            htmx
              ? pat.htmx(r.method, r.url, r.form ?? {})
              : r.method === 'GET'
                ? pat.get(r.url)
                : pat.post(r.url, r.form ?? {});
          const answer = await call(route);
          const what = `${route.method} ${route.url}${htmx ? ' (htmx)' : ''}`;
          expect(answer.statusCode, what).toBe(404);
          const other = await call(missing[i] as Call);
          const plain = (body: string, n: number) =>
            body.replaceAll(`/tickets/${n}`, '/tickets/N').replaceAll(`%2Ftickets%2F${n}`, 'N');
          expect(plain(answer.body, id), what).toBe(plain(other.body, 999_999));
        }
      }
    }
    const untouched = await t.app.db
      .selectFrom('tickets')
      .select(['status'])
      .where('id', 'in', hidden)
      .execute();
    expect(untouched.every((r) => r.status === 'new')).toBe(true);
    const notes = await t.app.db
      .selectFrom('ticket_notes')
      .select('body')
      .where('ticket_id', 'in', hidden)
      .execute();
    expect(notes.map((n) => n.body)).toEqual(['Pat’s own note']);
  });
});

describe('what External support may do on a sent ticket', () => {
  it('adds a note', async () => {
    await pat.get(`/tickets/${sent}`);
    const response = await pat.post(`/tickets/${sent}/notes`, { note: 'Fixed on our side' });
    expect(response.statusCode).toBe(303);
    const page = await pat.get(`/tickets/${sent}`);
    expect(page.body).toMatch(
      /Pat Vendor<\/span>\s*added a note:\s*<div class="note-body">Fixed on our side/,
    );
  });

  it('changes the status from the ticket page and from the list', async () => {
    const page = await pat.get(`/tickets/${sent}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const seen = /name="seen_event" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const save = await pat.post(`/tickets/${sent}`, {
      status: 'waiting',
      version,
      seen_event: seen,
    });
    expect(save.statusCode).toBe(303);
    let row = await storedTicket(t.app.db, sent);
    expect(row.status).toBe('waiting');

    await pat.get('/');
    const inline = await pat.htmx('POST', `/tickets/${sent}/status`, {
      status: 'in_progress',
      version: String(row.version),
      return: '/',
    });
    expect(inline.statusCode).toBe(200);
    expect(inline.body).toContain('Saved');
    row = await storedTicket(t.app.db, sent);
    expect(row.status).toBe('in_progress');
  });

  it('cannot change any other field: the save is refused whole, nothing changes', async () => {
    const before = await t.app.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', sent)
      .executeTakeFirstOrThrow();
    for (const [field, value] of Object.entries({
      title: 'Retitled by the vendor',
      priority: 'crisis',
      due_date: '2026-12-31',
      description: 'Overwritten',
      assignee: String(ids.pat),
    })) {
      const page = await pat.get(`/tickets/${sent}`);
      const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
      const response = await pat.post(`/tickets/${sent}`, {
        status: 'complete',
        [field]: value,
        version,
        seen_event: '0',
      });
      expect(response.statusCode, field).toBe(403);
      expect(readable(response.body), field).toContain(
        'External support can change a ticket’s status',
      );
    }
    const after = await t.app.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', sent)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });
});

describe('what External support cannot reach', () => {
  it('gets 403 on staff, roles, settings, the outbox, All tickets and the ticket window', async () => {
    const hasSettings = t.app.routeTable().some((r) => r.url === '/settings');
    await pat.get('/');
    const checks: [string, string, number][] = [
      ['GET', '/staff', 403],
      ['GET', '/staff/new', 403],
      ['GET', `/staff/${ids.ann}`, 403],
      ['GET', '/roles', 403],
      ['GET', '/outbox', 403],
      ['GET', '/tickets', 403],
      ['GET', '/tickets/new', 403],
      ['POST', '/tickets', 403],
      ['POST', `/tickets/${sent}/escalate`, 403],
      ['POST', `/tickets/${sent}/assign-champion`, 403],
      // Settings is another branch's page: 403 once it exists, and never open before.
      ['GET', '/settings', hasSettings ? 403 : 404],
    ];
    for (const [method, url, status] of checks) {
      const page =
        method === 'GET'
          ? await pat.get(url)
          : await pat.post(url, { title: 'x', priority: 'none', assignee: 'self' });
      expect(page.statusCode, `${method} ${url}`).toBe(status);
      expect(page.body, `${method} ${url}`).not.toContain('Ann Lee');
      const fragment = await pat.htmx(method as 'GET' | 'POST', url);
      expect(fragment.statusCode, `htmx ${method} ${url}`).toBe(status);
    }
    const created = await t.app.db
      .selectFrom('tickets')
      .select('id')
      .where('created_by', '=', ids.pat)
      .execute();
    expect(created).toHaveLength(1); // the one inserted above, not through the app
  });

  it('has no Help button or staff links, and keeps its own profile', async () => {
    const page = await pat.get('/');
    expect(page.body).not.toContain('aria-label="Help"');
    expect(page.body).not.toContain('href="/staff"');
    expect(page.body).not.toContain('href="/tickets"');
    expect((await pat.get('/profile')).statusCode).toBe(200);
    expect((await pat.get('/profile/notifications')).statusCode).toBe(200);
  });
});
