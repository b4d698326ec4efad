import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addStaff,
  type Browser,
  createTestAppWith,
  signIn,
  type TestApp,
} from '../../helpers/app.js';
import { storedTicket } from '../../helpers/db.js';
import { createTicket } from '../../helpers/tickets.js';

let t: TestApp;
let ann: Browser;
let boId: number;
const ids = { printer: 0, scanner: 0, login: 0, bos: 0, done: 0 };

/** Ticket numbers in the order a list shows them. */
function numbers(body: string): number[] {
  return [...body.matchAll(/<tr id="ticket-(\d+)"/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Ann Lee', role: 'champion' } });
  boId = (await addStaff(t.app, 'bo', { name: 'Bo Chen' })).id;
  ann = await signIn(t.app, 'ann');
  const bo = await signIn(t.app, 'bo');
  // Today is 2026-11-27 (a Friday) in the agency's time zone.
  ids.printer = await createTicket(ann, {
    title: 'Printer jams in billing',
    priority: 'low',
    due_date: '2026-11-27',
  });
  t.clock.advanceMinutes(1);
  ids.scanner = await createTicket(ann, {
    title: 'Scanner offline',
    priority: 'crisis',
    due_date: '2026-11-29',
    assignee: String(boId),
  });
  t.clock.advanceMinutes(1);
  ids.login = await createTicket(ann, {
    title: 'Login page slow',
    priority: 'medium',
    due_date: '2026-12-20',
  });
  t.clock.advanceMinutes(1);
  ids.bos = await createTicket(bo, { title: 'Bo’s own printer question', priority: 'high' });
  t.clock.advanceMinutes(1);
  ids.done = await createTicket(ann, { title: 'Old printer ticket' });
  await ann.get(`/tickets/${ids.done}`);
  await ann.post(`/tickets/${ids.done}/status`, { status: 'complete', version: '1', return: '/' });
  // A due date in the past cannot be typed on a new ticket; put one there directly.
  await t.app.db
    .updateTable('tickets')
    .set({ due_date: '2026-11-20', status: 'waiting' })
    .where('id', '=', ids.login)
    .execute();
});
afterAll(() => t.close());

describe('My tickets', () => {
  it('has three tabs with counts of open tickets', async () => {
    const home = await ann.get('/');
    expect(home.body).toMatch(/Assigned to me <span class="count" aria-label="2 open">2</);
    expect(home.body).toMatch(/Created by me <span class="count" aria-label="3 open">3</);
    expect(home.body).toMatch(/Associated with me <span class="count" aria-label="1 open">1</);
    expect(numbers(home.body).sort()).toEqual([ids.printer, ids.login].sort());
    expect(numbers((await ann.get('/?tab=associated')).body)).toEqual([ids.scanner]);
  });

  it('says so when a list is empty', async () => {
    const fresh = await signIn(t.app, 'bo');
    const empty = await fresh.get('/?tab=associated');
    expect(empty.body).toContain('No tickets match.');
  });
});

describe('All tickets filters, sorting and paging', () => {
  const all = async (query: string) => numbers((await ann.get(`/tickets${query}`)).body);

  it('defaults to open tickets, newest update first', async () => {
    expect(await all('')).toEqual([ids.bos, ids.login, ids.scanner, ids.printer]);
  });
  it('filters by status', async () => {
    expect(await all('?status=complete')).toEqual([ids.done]);
    expect((await all('?status=any')).length).toBe(5);
    expect(await all('?status=waiting')).toEqual([ids.login]);
  });
  it('filters by priority and assignee', async () => {
    expect(await all('?priority=crisis')).toEqual([ids.scanner]);
    expect(await all(`?assignee=${boId}`)).toEqual([ids.bos, ids.scanner]);
    const filtered = (await ann.get(`/tickets?assignee=${boId}`)).body;
    expect(filtered).toContain(`<option value="${boId}" selected>Bo Chen</option>`);
    expect(filtered.match(/<option value="\d+" selected>/g)).toHaveLength(1);
  });
  it('filters by due: overdue, today, this week, none', async () => {
    expect(await all('?due=overdue')).toEqual([ids.login]);
    expect(await all('?due=today')).toEqual([ids.printer]);
    expect(await all('?due=week')).toEqual([ids.scanner, ids.printer]);
    expect(await all('?due=none')).toEqual([ids.bos]);
  });
  it('matches a ticket number or words of the title', async () => {
    expect(await all(`?q=${ids.scanner}`)).toEqual([ids.scanner]);
    expect(await all(`?q=%23${ids.scanner}`)).toEqual([ids.scanner]);
    expect(await all('?q=printer&status=any')).toEqual([ids.done, ids.bos, ids.printer]);
    expect(await all('?q=PRINTER+billing')).toEqual([ids.printer]);
    expect(await all('?q=100%25')).toEqual([]);
    expect(await all('?q=print')).toEqual([ids.bos, ids.printer]);
    expect(await all('?q=%22%29%2A')).toEqual([]);
  });
  it('sorts by due date, priority and creation', async () => {
    expect(await all('?sort=due')).toEqual([ids.login, ids.printer, ids.scanner, ids.bos]);
    expect(await all('?sort=priority')).toEqual([ids.scanner, ids.bos, ids.login, ids.printer]);
    expect(await all('?sort=created')).toEqual([ids.bos, ids.login, ids.scanner, ids.printer]);
  });
  it('ignores nonsense in the query string rather than failing', async () => {
    const r = await ann.get('/tickets?status=bogus&due=soon&sort=x&page=-3&assignee=abc');
    expect(r.statusCode).toBe(200);
    expect(numbers(r.body).length).toBe(4);
  });
  it('pages fifty at a time', async () => {
    for (let i = 0; i < 50; i++) await createTicket(ann, { title: `Bulk ticket ${i}` });
    const first = await ann.get('/tickets');
    expect(numbers(first.body).length).toBe(50);
    expect(first.body).toContain('54 tickets, page 1 of 2');
    // Next starts after the page's last row (keyset), and says which page it shows.
    const next = pagerLink(first.body, 'next');
    expect(decodeURIComponent(next)).toMatch(/^\/tickets\?page=2&after=[0-9TZ:.-]+~\d+$/);
    const second = await ann.get(next);
    expect(numbers(second.body).length).toBe(4);
    expect(second.body).toContain('54 tickets, page 2 of 2');
    expect(pagerLink(second.body, 'prev')).toBe('/tickets');
    // A page number alone (an older link) still works.
    expect(numbers((await ann.get('/tickets?page=2')).body)).toEqual(numbers(second.body));
  });
  it('pages by cursor in every order, forwards and back, the same rows as one long list', async () => {
    for (const sort of ['updated', 'due', 'priority', 'created']) {
      const first = await ann.get(`/tickets?sort=${sort}`);
      const second = await ann.get(pagerLink(first.body, 'next'));
      const byOffset = numbers((await ann.get(`/tickets?sort=${sort}&page=2`)).body);
      expect(numbers(second.body), sort).toEqual(byOffset);
      expect(new Set([...numbers(first.body), ...numbers(second.body)]).size, sort).toBe(54);
      // Back: the rows just before a cursor, here every row of page 1 before its last.
      const lastOfFirst = cursorIn(pagerLink(first.body, 'next'));
      const back = await ann.get(
        `/tickets?sort=${sort}&page=1&before=${encodeURIComponent(lastOfFirst)}`,
      );
      expect(numbers(back.body), sort).toEqual(numbers(first.body).slice(0, 49));
    }
    // A cursor that does not fit the order is ignored, never an error.
    const odd = await ann.get('/tickets?sort=due&page=2&after=2026-11-27T15:00:00.000Z~5');
    expect(odd.statusCode).toBe(200);
    expect(numbers(odd.body)).toEqual(numbers((await ann.get('/tickets?sort=due&page=2')).body));
  });
  it('searches titles by word start, ignoring case and accents', async () => {
    const cafe = await createTicket(ann, { title: 'Café menu in scheduling' });
    expect(await all('?q=cafe')).toEqual([cafe]);
    expect(await all('?q=SCHED+caf')).toEqual([cafe]);
    expect(await all('?q=enu')).toEqual([]);
  });
  it('finds open tickets by title as their status and title change', async () => {
    // Open tickets are searched in an index of their own (migrations/0052), kept by triggers.
    const id = await createTicket(ann, { title: 'Fax machine beeping' });
    expect(await all('?q=fax')).toEqual([id]);
    await ann.post(`/tickets/${id}/status`, { status: 'complete', return: '/' });
    expect(await all('?q=fax')).toEqual([]);
    expect(await all('?q=fax&status=any')).toEqual([id]);
    expect(await all('?q=fax&status=complete')).toEqual([id]);
    await ann.post(`/tickets/${id}/status`, { status: 'in_progress', return: '/' });
    expect(await all('?q=fax')).toEqual([id]);
    expect(await all('?q=fax&status=in_progress')).toEqual([id]);
    const rename = (title: string) =>
      t.app.db.updateTable('tickets').set({ title }).where('id', '=', id).execute();
    await rename('Copier beeping');
    expect(await all('?q=fax')).toEqual([]);
    expect(await all('?q=copier')).toEqual([id]);
    await ann.post(`/tickets/${id}/status`, { status: 'waiting', return: '/' });
    expect(await all('?q=copier+beep')).toEqual([id]);
    await ann.post(`/tickets/${id}/status`, { status: 'cancelled', return: '/' });
    await rename('Copier jammed');
    expect(await all('?q=copier')).toEqual([]);
    expect(await all('?q=jammed&status=any')).toEqual([id]);
  });
  it('answers htmx with the list fragment only', async () => {
    const r = await ann.htmx('GET', '/tickets?priority=crisis');
    expect(r.body).toMatch(/^<section id="ticket-list">/);
    expect(r.headers.vary).toContain('HX-Request');
  });
  it('marks overdue and past-response-target tickets in words', async () => {
    t.clock.advanceMinutes(120); // Crisis: 90 minutes to respond.
    ann = await signIn(t.app, 'ann');
    const body = (await ann.get('/tickets?sort=due')).body;
    const row = (id: number) =>
      new RegExp(`<tr id="ticket-${id}"[\\s\\S]*?</tr>`).exec(body)?.[0] ?? '';
    expect(row(ids.login)).toContain('Overdue');
    expect(row(ids.scanner)).toContain('Past response target');
    expect(row(ids.printer)).not.toContain('Overdue');
  });
});

describe('inline status change', () => {
  it('with htmx, re-renders only the row, showing Date completed', async () => {
    const id = await createTicket(ann, { title: 'Inline one' });
    await ann.get('/');
    const r = await ann.htmx('POST', `/tickets/${id}/status`, {
      status: 'complete',
      version: '1',
      return: '/',
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(new RegExp(`^<tr id="ticket-${id}"`));
    expect(r.body).toContain('Completed Nov 27, 2026');
    expect(r.body).toContain('Saved');
  });

  it('without JavaScript, returns to the same list with the same filters', async () => {
    const id = await createTicket(ann, { title: 'Inline two', priority: 'high' });
    await ann.get('/tickets?priority=high&sort=due');
    const r = await ann.post(`/tickets/${id}/status`, {
      status: 'in_progress',
      version: '1',
      return: '/tickets?priority=high&sort=due',
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/tickets?priority=high&sort=due#ticket-${id}`);
  });

  it('refuses a stale row instead of overwriting a newer change', async () => {
    const id = await createTicket(ann, { title: 'Inline three' });
    await ann.get('/');
    await ann.htmx('POST', `/tickets/${id}/status`, {
      status: 'waiting',
      version: '1',
      return: '/',
    });
    const stale = await ann.htmx('POST', `/tickets/${id}/status`, {
      status: 'cancelled',
      version: '1',
      return: '/',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone changed this ticket meanwhile');
    const row = await storedTicket(t.app.db, id);
    expect(row.status).toBe('waiting');
  });

  it('never returns to another site', async () => {
    const id = await createTicket(ann, { title: 'Inline four' });
    await ann.get('/');
    const r = await ann.post(`/tickets/${id}/status`, {
      status: 'waiting',
      version: '1',
      return: 'https://evil.example/x',
    });
    expect(r.headers.location).toBe(`/#ticket-${id}`);
  });
});

/** The pager's Previous or Next address, as a browser would follow it. */
function pagerLink(html: string, rel: 'prev' | 'next'): string {
  const match = new RegExp(`<a href="([^"]*)"[^>]*rel="${rel}"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${rel} link`);
  return match[1].replaceAll('&amp;', '&');
}

function cursorIn(link: string): string {
  return new URL(link, 'http://x').searchParams.get('after') ?? '';
}
