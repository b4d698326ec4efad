import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { significantWords } from '../../../src/tickets/similar-titles.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { createTicket, saveTicket } from '../../helpers/tickets.js';

/** "Is it one of these?" while a title is typed in the ticket window. */
let t: TestApp;
let ann: Browser;
let champ: Browser;
let champId: number;
const MARKER = 'PHI-MARKER-aa01';

beforeAll(async () => {
  t = await createTestApp();
  await addStaff(t.app, 'ann', { name: 'Ann Lee' });
  champId = (await addStaff(t.app, 'champ', { name: 'Cam Champion', role: 'champion' })).id;
  ann = await signIn(t.app, 'ann');
  champ = await signIn(t.app, 'champ');
});
afterAll(() => t.close());

const suggest = async (browser: Browser, title: string) => {
  const response = await browser.htmx('POST', '/tickets/similar', { title });
  expect(response.statusCode).toBe(200);
  return response.body;
};
const numbers = (body: string) => [
  ...new Set([...body.matchAll(/\/tickets\/(\d+)\/join/g)].map((m) => Number(m[1]))),
];

describe('similar open tickets while a title is typed', () => {
  it('offers up to three open tickets the person may see, most words in common first, titles only', async () => {
    const best = await createTicket(ann, {
      title: 'Billing printer jammed again',
      description: MARKER,
    });
    const fewer = await createTicket(ann, { title: 'Printer in billing is slow' });
    const other = await createTicket(ann, { title: 'Billing export fails' });
    const closed = await createTicket(ann, { title: 'Billing printer jammed last week' });
    await saveTicket(ann, closed, { status: 'complete' });
    const hidden = await createTicket(champ, { title: 'Billing printer jammed champion' });
    await createTicket(ann, { title: 'Phones down' });

    const body = await suggest(ann, 'Billing printer jammed');
    expect(body).toContain('Is it one of these?');
    // Two of three telling words at least: "Billing export fails" shares one only.
    expect(numbers(body)).toEqual([best, fewer]);
    expect(body).not.toContain(MARKER);
    expect(numbers(body)).not.toContain(closed);
    expect(numbers(body)).not.toContain(hidden);
    expect(numbers(body)).not.toContain(other);
    // The champion sees every open ticket, three at most.
    expect(numbers(await suggest(champ, 'Billing printer jammed'))).toHaveLength(3);
  });

  it('says nothing for a title with no telling word, or odd characters', async () => {
    expect(await suggest(ann, 'the and it')).not.toContain('Is it one of these?');
    expect(await suggest(ann, '"*^:(){}[]')).not.toContain('Is it one of these?');
    expect(await suggest(ann, '')).not.toContain('Is it one of these?');
    expect(significantWords('Cannot print from the Billing printer')).toEqual([
      'print',
      'billing',
      'printer',
    ]);
  });

  it('refuses a request without the CSRF token', async () => {
    const response = await ann.post(
      '/tickets/similar',
      { _csrf: 'wrong', title: 'Billing printer' },
      { 'hx-request': 'true' },
    );
    expect(response.statusCode).toBe(403);
  });

  it('choosing one adds the person to its associated staff and closes the window, making no ticket', async () => {
    const theirs = await createTicket(ann, { title: 'Scanner offline in intake' });
    const before = await t.app.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    await champ.get('/');
    const response = await champ.htmx('POST', `/tickets/${theirs}/join`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['hx-trigger']).toBe('hd:ticket-created');
    expect(response.headers['hx-retarget']).toBe('#flash');
    expect(response.body).toContain(`You now follow ticket #${theirs} Scanner offline in intake`);
    const associated = await t.app.db
      .selectFrom('ticket_associated_staff')
      .select('staff_id')
      .where('ticket_id', '=', theirs)
      .execute();
    expect(associated.map((r) => r.staff_id)).toEqual([champId]);
    const after = await t.app.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // Without JavaScript: a 303 to the ticket.
    const plain = await champ.post(`/tickets/${theirs}/join`, {});
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe(`/tickets/${theirs}?joined=1`);
  });

  it('cannot join a ticket the person may not see', async () => {
    const champs = await createTicket(champ, { title: 'Champion only' });
    await ann.get('/');
    expect((await ann.htmx('POST', `/tickets/${champs}/join`)).statusCode).toBe(404);
  });

  it('puts the suggestion slot in the ticket window, wired to the title', async () => {
    const window = (await ann.htmx('GET', '/tickets/new')).body;
    expect(window).toMatch(
      /<div id="new-similar-tickets"[^>]*hx-post="\/tickets\/similar" hx-trigger="input delay:400ms from:#new-title"/,
    );
    // Not on the ticket page's own form.
    const id = await createTicket(ann, { title: 'Page form' });
    expect((await ann.get(`/tickets/${id}`)).body).not.toContain('similar-tickets');
  });
});
