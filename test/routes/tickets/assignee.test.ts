import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { storedTicket } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { createTicket, editBase, saveTicket } from '../../helpers/tickets.js';

let t: TestApp;
let dee: Browser;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  ids.dee = (await addStaff(t.app, 'dee', { name: 'Dee Moss' })).id;
  ids.ann = (await addStaff(t.app, 'ann', { name: 'Ann Lee', department: 'Billing' })).id;
  ids.jose = (await addStaff(t.app, 'jose', { name: 'José Álvarez', department: 'Clinical' })).id;
  ids.cy = (await addStaff(t.app, 'cy', { name: 'Cy Diaz', department: 'Intake' })).id;
  ids.vendor = (await addStaff(t.app, 'vic', { name: 'Vic Vendor', role: 'external' })).id;
  dee = await signIn(t.app, 'dee');
});
afterAll(() => t.close());

const countTickets = async () =>
  Number(
    (
      await t.app.db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const typed = {
  title: 'Claims screen freezes',
  due_date: '2026-12-15',
  priority: 'high',
  description: 'Client 4411, DOS 11/20\nsecond line',
  opened_from: '/billing',
};

/** The hidden inputs of a page, as a browser would post them back. */
function hiddenFields(body: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [, name, value] of body.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
  )) {
    const decoded = (value ?? '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    const key = name as string;
    fields[key] = [...(fields[key] ?? []), decoded];
  }
  return fields;
}

const selectHtml = (body: string, id: string) =>
  new RegExp(`<select id="${id}"[\\s\\S]*?</select>`).exec(body)?.[0] ?? '';

describe('Assigned To without JavaScript: quick search', () => {
  it('the Search button comes back with the matches and everything typed, saving nothing', async () => {
    await dee.get('/tickets/new');
    const before = await countTickets();
    const r = await dee.post('/tickets', {
      ...typed,
      assignee: 'self',
      assignee_q: 'jose',
      assignee_search: '1',
    });
    expect(r.statusCode).toBe(200);
    expect(await countTickets()).toBe(before);
    expect(r.body).toContain('value="Claims screen freezes"');
    expect(r.body).toContain('value="2026-12-15"');
    expect(r.body).toContain('<option value="high" selected>');
    expect(r.body).toContain('>Client 4411, DOS 11/20\nsecond line</textarea>');
    expect(r.body).toContain('name="opened_from" value="/billing"');
    expect(r.body).toContain('name="assignee_q" value="jose"');
    const select = selectHtml(r.body, 'new-assignee');
    expect(select).toContain('autofocus');
    expect(select).toContain('<option value="self">[self]</option>');
    expect(select).toContain(
      `<option value="${ids.jose}" selected data-match>José Álvarez · Staff · Clinical</option>`,
    );
    expect(readable(r.body)).toContain('1 person matches “jose”, now chosen in the drop-down.');

    // Picking from the drop-down and Save then creates the ticket, assigned.
    const saved = await dee.post('/tickets', { ...typed, assignee: String(ids.jose) });
    expect(saved.statusCode).toBe(303);
    const row = await t.app.db
      .selectFrom('tickets')
      .select(['assignee_id', 'title'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ assignee_id: ids.jose, title: 'Claims screen freezes' });
  });

  it('says so when nobody matches, keeping the choice already made', async () => {
    await dee.get('/tickets/new');
    const r = await dee.post('/tickets', {
      ...typed,
      assignee: String(ids.cy),
      assignee_q: 'xyz',
      assignee_search: '1',
    });
    expect(r.statusCode).toBe(200);
    expect(readable(r.body)).toContain('No staff match “xyz”.');
    expect(selectHtml(r.body, 'new-assignee')).toContain(
      `<option value="${ids.cy}" selected>Cy Diaz · Staff · Intake</option>`,
    );
  });

  it('on the ticket page, searches without saving and keeps the unsaved edits', async () => {
    const id = await createTicket(dee, { title: 'Scanner offline' });
    const base = await editBase(dee, id);
    const r = await saveTicket(dee, id, {
      title: 'Scanner offline in room 4',
      assignee_q: 'ann',
      assignee_search: '1',
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('value="Scanner offline in room 4"');
    expect(selectHtml(r.body, 'assignee')).toContain(
      `value="${ids.ann}" selected data-match>Ann Lee`,
    );
    const row = await storedTicket(t.app.db, id);
    expect(row).toMatchObject({ title: 'Scanner offline', version: Number(base.version) });
    expect(r.body).toContain(`name="version" value="${base.version}"`);
  });

  it('refuses an external support account as the point person', async () => {
    await dee.get('/tickets/new');
    const r = await dee.post('/tickets', { ...typed, assignee: String(ids.vendor) });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('Choose someone on the staff list.');
  });

  it('keeps the quick-search text when Save finds a mistake', async () => {
    await dee.get('/tickets/new');
    const r = await dee.post('/tickets', {
      ...typed,
      title: '',
      assignee: String(ids.ann),
      assignee_q: 'ann',
    });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('name="assignee_q" value="ann"');
    expect(selectHtml(r.body, 'new-assignee')).toContain(`value="${ids.ann}" selected`);
  });
});

describe('Assigned To without JavaScript: the pick list', () => {
  it('is a page carrying everything typed, and returns to the form with the choice', async () => {
    await dee.get('/tickets/new');
    const before = await countTickets();
    const page = await dee.post('/tickets', {
      ...typed,
      assignee: 'self',
      assignee_q: 'lee',
      assignee_picklist: '1',
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Pick list: Assigned To</h1>');
    expect(page.body).toContain('<form method="post" action="/tickets"');
    const carried = hiddenFields(page.body);
    expect(carried.title).toEqual([typed.title]);
    expect(carried.description).toEqual([typed.description]);
    expect(carried.opened_from).toEqual([typed.opened_from]);
    expect(carried.assignee_q).toEqual(['lee']);
    expect(carried.assignee).toBeUndefined();
    expect(carried.assignee_return).toEqual(['1']);
    // Grouped by department, each person a button that returns with them.
    const groups = [...page.body.matchAll(/<h2 id="[^"]+">([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(groups).toEqual(['Billing', 'Clinical', 'Intake', 'No department']);
    expect(page.body).toContain(
      `<button type="submit" name="assignee" value="${ids.cy}" class="pick">Cy Diaz</button>`,
    );
    expect(await countTickets()).toBe(before);

    // Choosing Cy posts everything back: the form, as typed, with Cy chosen.
    const { _csrf, ...fields } = carried;
    const back = await dee.post('/tickets', { ...fields, assignee: String(ids.cy) });
    expect(back.statusCode).toBe(200);
    expect(await countTickets()).toBe(before);
    expect(back.body).toContain('value="Claims screen freezes"');
    expect(back.body).toContain('>Client 4411, DOS 11/20\nsecond line</textarea>');
    expect(back.body).toContain('Chosen from the pick list.');
    expect(selectHtml(back.body, 'new-assignee')).toContain(
      `<option value="${ids.cy}" selected>Cy Diaz · Staff · Intake</option>`,
    );

    // Save: the ticket is Cy's.
    const saved = await dee.post('/tickets', {
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v[0] ?? ''])),
      assignee: String(ids.cy),
      assignee_return: [],
    });
    expect(saved.statusCode).toBe(303);
    const row = await t.app.db
      .selectFrom('tickets')
      .select('assignee_id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.assignee_id).toBe(ids.cy);
  });

  it('filters by name (accents and case aside) without losing what was carried', async () => {
    await dee.get('/tickets/new');
    const page = await dee.post('/tickets', { ...typed, assignee: 'self', assignee_picklist: '1' });
    const { _csrf, ...fields } = hiddenFields(page.body);
    const filtered = await dee.post('/tickets', {
      ...fields,
      assignee_filter: 'JOSE',
      assignee_picklist: '1',
    });
    expect(filtered.statusCode).toBe(200);
    expect(filtered.body).toContain('1 of 4 shown.');
    expect(filtered.body).toContain('José Álvarez</button>');
    expect(filtered.body).not.toContain('Cy Diaz</button>');
    expect(hiddenFields(filtered.body).description).toEqual([typed.description]);
    const byDepartment = await dee.post('/tickets', {
      ...fields,
      assignee_filter: 'intake',
      assignee_picklist: '1',
    });
    expect(byDepartment.body).toContain('1 of 4 shown.');
    expect(byDepartment.body).toContain('Cy Diaz</button>');
    const none = await dee.post('/tickets', {
      ...fields,
      assignee_filter: 'zzz',
      assignee_picklist: '1',
    });
    expect(readable(none.body)).toContain('No staff match “zzz”.');
  });

  it('from the ticket page, carries the version and comes back to the ticket', async () => {
    const id = await createTicket(dee, { title: 'Label printer' });
    const base = await editBase(dee, id);
    const page = await saveTicket(dee, id, { title: 'Label printer jams', assignee_picklist: '1' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/tickets/${id}"`);
    const { _csrf, ...fields } = hiddenFields(page.body);
    expect(fields.version).toEqual([base.version]);
    expect(fields.title).toEqual(['Label printer jams']);
    const back = await dee.post(`/tickets/${id}`, { ...fields, assignee: String(ids.ann) });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('value="Label printer jams"');
    expect(selectHtml(back.body, 'assignee')).toContain(`value="${ids.ann}" selected`);
  });
});

describe('Assigned To with htmx', () => {
  it('the ticket window carries the quick search, its button and the pick list', async () => {
    const dialog = await dee.htmx('GET', '/tickets/new?from=/');
    expect(dialog.body).toContain(
      'hx-get="/staff-picker/options?field=assignee&amp;id=new-assignee&amp;first=self" hx-trigger="change"',
    );
    expect(dialog.body).toContain('name="assignee_search" value="1"');
    expect(dialog.body).toContain('name="assignee_picklist" value="1"');
    expect(dialog.body).toContain(
      'hx-get="/staff-picker/pick-list?field=assignee&amp;id=new-assignee&amp;first=self"',
    );
    // Only [self] until a search: the drop-down never holds the whole staff.
    expect(selectHtml(dialog.body, 'new-assignee').match(/<option/g)).toHaveLength(1);
  });
});
