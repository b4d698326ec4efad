import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, createTestAppWith, signIn, type TestApp } from '../helpers/app.js';
import { readable } from '../helpers/pages.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * Pages leave one byte a character: names, titles and our own text past
 * Latin-1 go as numeric references (src/views/html.ts, escapeWide), which the
 * browser shows as the characters typed. One such character left as it is
 * would make every list page cost twice (docs/performance.md).
 */
const PAST_LATIN_1 = /[\u0100-\u{10ffff}]/u;
const TITLE = 'Printer — won’t print “anything” 🖨 at Łódź';

let t: TestApp;
let ann: Browser;
let id: number;

beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Łucja Nguyễn', role: 'champion' } });
  ann = await signIn(t.app, 'ann');
  id = await createTicket(ann, { title: TITLE, description: 'Café — 日本語 🙂' });
});
afterAll(() => t.close());

describe('pages past Latin-1', () => {
  it.each([
    ['My tickets', '/'],
    ['All tickets', '/tickets'],
    ['a title search', `/tickets?q=${encodeURIComponent('Łódź')}`],
  ])('%s: names and titles as references, read back as typed', async (_name, path) => {
    const page = await ann.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(PAST_LATIN_1);
    expect(readable(page.body)).toContain(`>${TITLE}</a>`);
    expect(readable(page.body)).toContain('Łucja Nguyễn');
    // Latin-1 itself is one byte a character already: left as it is.
    expect(page.body).toContain('&#321;ód&#378;');
  });

  it('the ticket page: the description and our own text too', async () => {
    const page = await ann.get(`/tickets/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(PAST_LATIN_1);
    expect(readable(page.body)).toContain('Café — 日本語 🙂');
    // An emoji is one reference, not two halves of a surrogate pair.
    expect(page.body).toContain('&#128578;');
  });
});
