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
let ticketId: number;
let noteId: number;
const people: Record<string, Browser> = {};

beforeAll(async () => {
  t = await createTestAppWith({ creator: { name: 'Cara Creator' } });
  const assignee = await addStaff(t.app, 'assignee', { name: 'Abe Assignee' });
  const associated = await addStaff(t.app, 'associated', { name: 'Ava Associated' });
  await addStaff(t.app, 'champion', { name: 'Chip Champion', role: 'champion' });
  await addStaff(t.app, 'outsider', { name: 'Otto Outsider' });
  for (const name of ['creator', 'assignee', 'associated', 'champion', 'outsider']) {
    people[name] = await signIn(t.app, name);
  }
  const creator = people.creator as Browser;
  ticketId = await createTicket(creator, {
    assignee: String(assignee.id),
    title: 'Visible to some',
  });
  await t.app.db
    .insertInto('ticket_associated_staff')
    .values({
      ticket_id: ticketId,
      staff_id: associated.id,
      added_by: null,
      added_at: t.app.now().toISOString(),
    })
    .execute();
  await creator.get(`/tickets/${ticketId}`);
  await creator.post(`/tickets/${ticketId}/notes`, { note: 'A note' });
  noteId = Number(
    (await t.app.db.selectFrom('ticket_notes').select('id').executeTakeFirstOrThrow()).id,
  );
});
afterAll(() => t.close());

type Route = { method: 'GET' | 'POST'; url: (id: number) => string; form?: Record<string, string> };
const routes: Route[] = [
  { method: 'GET', url: (id) => `/tickets/${id}` },
  {
    method: 'POST',
    url: (id) => `/tickets/${id}`,
    form: {
      title: 'Hijacked',
      priority: 'none',
      status: 'new',
      assignee: 'self',
      version: '1',
      seen_event: '0',
    },
  },
  {
    method: 'POST',
    url: (id) => `/tickets/${id}/status`,
    form: { status: 'complete', version: '1', return: '/' },
  },
  { method: 'POST', url: (id) => `/tickets/${id}/notes`, form: { note: 'sneaky note' } },
  { method: 'GET', url: (id) => `/tickets/${id}/notes/${noteId}/edit` },
  {
    method: 'POST',
    url: (id) => `/tickets/${id}/notes/${noteId}`,
    form: { note: 'edited by an outsider' },
  },
];

async function call(browser: Browser, route: Route, id: number, htmx: boolean) {
  const url = route.url(id);
  if (htmx) return browser.htmx(route.method, url, route.form ?? {});
  await browser.get('/');
  return route.method === 'GET' ? browser.get(url) : browser.post(url, route.form ?? {});
}

describe('who may see a ticket', () => {
  it.each(['creator', 'assignee', 'associated', 'champion'])(
    '%s sees the ticket page',
    async (who) => {
      const page = await (people[who] as Browser).get(`/tickets/${ticketId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Visible to some');
    },
  );

  const cases = routes.flatMap((route) =>
    [false, true].map((htmx) => ({
      route,
      htmx,
      name: `${route.method} ${route.url(0).replace(/\/\d+|undefined/g, '/:id')}${htmx ? ' (htmx)' : ''}`,
    })),
  );
  it.each(cases)(
    'anyone else gets the same 404 as a missing ticket: $name',
    async ({ route, htmx }) => {
      const outsider = people.outsider as Browser;
      const hidden = await call(outsider, route, ticketId, htmx);
      const missing = await call(outsider, route, 999_999, htmx);
      expect(hidden.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      const plain = (body: string, id: number) =>
        body
          .replaceAll(`/tickets/${id}`, '/tickets/N')
          .replaceAll(`%2Ftickets%2F${id}`, '%2Ftickets%2FN');
      expect(plain(hidden.body, ticketId)).toBe(plain(missing.body, 999_999));
      expect(hidden.body).not.toContain('Visible to some');
    },
  );

  it('changed nothing for the outsider', async () => {
    const row = await t.app.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticketId)
      .executeTakeFirstOrThrow();
    expect(row.title).toBe('Visible to some');
    expect(row.status).toBe('new');
    const notes = await t.app.db.selectFrom('ticket_notes').select('body').execute();
    expect(notes.map((n) => t.app.phi.decrypt(n.body))).toEqual(['A note']);
  });

  it('keeps tickets out of lists of people who may not see them', async () => {
    const outsider = people.outsider as Browser;
    for (const url of ['/', '/?tab=created', '/?tab=associated', `/?q=${ticketId}`]) {
      expect((await outsider.get(url)).body).not.toContain('Visible to some');
    }
    expect((await outsider.get('/tickets')).statusCode).toBe(403);
    expect((await (people.champion as Browser).get('/tickets')).body).toContain('Visible to some');
  });

  it('does not take a guessable number for permission: the id is not the protection', async () => {
    const outsider = people.outsider as Browser;
    for (let id = ticketId - 1; id <= ticketId + 1; id++) {
      expect((await outsider.get(`/tickets/${id}`)).statusCode).toBe(404);
    }
  });

  it('reads ticket and note numbers with the one path parser: only whole numbers from 1', async () => {
    const creator = people.creator as Browser;
    for (const id of ['0', '00', '-1', '1e3', '0x1', '1.0', '99999999999999999']) {
      expect((await creator.get(`/tickets/${id}`)).statusCode, id).toBe(404);
    }
    for (const note of ['0', '1e3', `${noteId}.0`, ` ${noteId}`]) {
      const url = `/tickets/${ticketId}/notes/${encodeURIComponent(note)}/edit`;
      expect((await creator.get(url)).statusCode, note).toBe(404);
    }
    expect((await creator.get(`/tickets/${ticketId}/notes/${noteId}/edit`)).statusCode).toBe(200);
  });
});
