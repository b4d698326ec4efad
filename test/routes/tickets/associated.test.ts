import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { storedTicket } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { createTicket, insertTicket, saveTicket } from '../../helpers/tickets.js';

let t: TestApp;
let ann: Browser;
let outsider: Browser;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  ids.ann = (await addStaff(t.app, 'ann', { name: 'Ann Lee', department: 'Billing' })).id;
  ids.bo = (await addStaff(t.app, 'bo', { name: 'Bo Chen', department: 'Billing' })).id;
  ids.cy = (await addStaff(t.app, 'cy', { name: 'Cy Diaz', department: 'Intake' })).id;
  ids.di = (await addStaff(t.app, 'di', { name: 'Di Evans' })).id;
  ids.gone = (await addStaff(t.app, 'gone', { name: 'Gus Gone' })).id;
  await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', ids.gone).execute();
  await addStaff(t.app, 'out', { name: 'Olu Outsider' });
  ann = await signIn(t.app, 'ann');
  outsider = await signIn(t.app, 'out');
});
afterAll(() => t.close());

const associatedIds = async (ticketId: number) =>
  (
    await t.app.db
      .selectFrom('ticket_associated_staff')
      .select('staff_id')
      .where('ticket_id', '=', ticketId)
      .orderBy('added_at')
      .orderBy('staff_id')
      .execute()
  ).map((r) => r.staff_id);

const events = async (ticketId: number, kind: string) =>
  t.app.db
    .selectFrom('ticket_events')
    .select(['staff_id', 'old_value', 'new_value'])
    .where('ticket_id', '=', ticketId)
    .where('kind', '=', kind)
    .orderBy('id')
    .execute();

/** The associated-staff list's names, as the ticket page shows them. */
const listed = (body: string) => {
  const list = /<ul class="plain associated-list" id="associated-staff">([\s\S]*?)<\/ul>/.exec(
    body,
  )?.[1];
  return [...(list ?? '').matchAll(/<li><span>([^<]*)<\/span>/g)].map((m) => m[1]);
};

describe('the associated-staff rule', () => {
  it('assigning to someone else adds me, once; assigning to myself does not', async () => {
    const toBo = await createTicket(ann, { assignee: String(ids.bo) });
    expect(await associatedIds(toBo)).toEqual([ids.ann]);
    // Reassigning to another person again does not add me twice.
    expect((await saveTicket(ann, toBo, { assignee: String(ids.cy) })).statusCode).toBe(303);
    expect(await associatedIds(toBo)).toEqual([ids.ann]);
    expect(await events(toBo, 'associated_added')).toHaveLength(1);

    const mine = await createTicket(ann, { assignee: 'self' });
    expect(await associatedIds(mine)).toEqual([]);
    // An assignee change by someone else adds them; one by myself to myself adds nobody.
    expect((await saveTicket(ann, mine, { assignee: String(ids.bo) })).statusCode).toBe(303);
    expect(await associatedIds(mine)).toEqual([ids.ann]);
  });

  it('keeps exactly one assignee through every change', async () => {
    const id = await createTicket(ann, { assignee: String(ids.bo) });
    await saveTicket(ann, id, { assignee: 'self' });
    const row = await storedTicket(t.app.db, id);
    expect(row.assignee_id).toBe(ids.ann);
  });
});

describe('adding and removing associated staff on the ticket page', () => {
  it('adds someone (no JavaScript): redirect, list, timeline, audit, and they can see it', async () => {
    const id = await createTicket(ann, { title: 'Fax down' });
    const cy = await signIn(t.app, 'cy');
    expect((await cy.get(`/tickets/${id}`)).statusCode).toBe(404);

    const r = await ann.post(`/tickets/${id}/associated`, { associate: String(ids.cy) });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/tickets/${id}?associated=1`);
    const page = await ann.get(String(r.headers.location));
    expect(page.body).toContain('Associated staff updated.');
    expect(listed(page.body)).toEqual(['Cy Diaz · Intake']);
    expect(page.body).toMatch(
      /<span class="who">Ann Lee<\/span>\s*added Cy Diaz to associated staff\./,
    );
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select(['action', 'detail', 'staff_id'])
      .where('ticket_id', '=', id)
      .where('action', '=', 'associated-staff-added')
      .execute();
    expect(audit).toEqual([
      { action: 'associated-staff-added', detail: 'Cy Diaz (cy)', staff_id: ids.ann },
    ]);
    expect((await cy.get(`/tickets/${id}`)).statusCode).toBe(200);
  });

  it('adds with htmx: the section alone, and its line appended to the timeline', async () => {
    const id = await createTicket(ann, { title: 'Toner' });
    await ann.get(`/tickets/${id}`);
    const r = await ann.htmx('POST', `/tickets/${id}/associated`, {
      associate: String(ids.di),
      associate_q: 'di',
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('<html');
    expect(r.body).toMatch(/^<section id="associated"/);
    expect(r.body).toContain('Di Evans added to associated staff.');
    expect(listed(r.body)).toEqual(['Di Evans']);
    expect(r.body).toMatch(
      /<ol hx-swap-oob="beforeend:#timeline-entries">\s*<li>[\s\S]*Ann Lee<\/span>\s*added Di Evans to associated staff\./,
    );
    // The add form is fresh again: nobody chosen, nothing typed.
    expect(r.body).toContain('<option value="" selected>Choose a person</option>');
    expect(r.body).toContain('name="associate_q" value=""');

    // Adding them again changes nothing and says so.
    const again = await ann.htmx('POST', `/tickets/${id}/associated`, {
      associate: String(ids.di),
    });
    expect(again.body).toContain('Di Evans is already associated with this ticket.');
    expect(again.body).not.toContain('hx-swap-oob="beforeend');
    expect(await events(id, 'associated_added')).toHaveLength(1);
    expect(await associatedIds(id)).toEqual([ids.di]);
  });

  it('asks for a person, and refuses someone not on the active staff', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const none = await ann.htmx('POST', `/tickets/${id}/associated`, { associate: '' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain(
      '<p class="field-error" id="associate-error">Choose a person to add: type part of a name in Quick search, or use the Pick list.</p>',
    );
    for (const who of [String(ids.gone), '99999']) {
      const r = await ann.post(`/tickets/${id}/associated`, { associate: who });
      expect(r.statusCode).toBe(422);
      expect(r.body).toContain('Choose someone on the staff list.');
      expect(r.body).toContain('<html');
    }
    expect(await associatedIds(id)).toEqual([]);
  });

  it('removes someone, with a timeline line; removing nobody changes nothing', async () => {
    const id = await createTicket(ann, { assignee: String(ids.bo) });
    await ann.post(`/tickets/${id}/associated`, { associate: String(ids.cy) });
    expect(await associatedIds(id)).toEqual([ids.ann, ids.cy]);

    await ann.get(`/tickets/${id}`);
    const r = await ann.htmx('POST', `/tickets/${id}/associated/remove`, {
      staff_id: String(ids.cy),
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Cy Diaz removed from associated staff.');
    expect(listed(r.body)).toEqual(['Ann Lee · Billing']);
    expect(r.body).toMatch(/removed Cy Diaz from\s+associated staff\./);
    expect(await events(id, 'associated_removed')).toEqual([
      { staff_id: ids.ann, old_value: 'Cy Diaz', new_value: null },
    ]);

    const noJs = await ann.post(`/tickets/${id}/associated/remove`, { staff_id: String(ids.cy) });
    expect(noJs.statusCode).toBe(303);
    expect(await events(id, 'associated_removed')).toHaveLength(1);
  });

  it('sends someone who removes their own access back to My tickets', async () => {
    const id = await insertTicket(
      t.app.db,
      {
        title: 'Shared drive',
        createdBy: ids.bo as number,
        assigneeId: ids.bo as number,
        associated: [ids.cy as number],
      },
      t.app.now(),
    );
    const cy = await signIn(t.app, 'cy');
    await cy.get(`/tickets/${id}`);
    const htmx = await cy.htmx('POST', `/tickets/${id}/associated/remove`, {
      staff_id: String(ids.cy),
    });
    expect(htmx.headers['hx-redirect']).toBe('/');
    expect(await associatedIds(id)).toEqual([]);
    expect((await cy.get(`/tickets/${id}`)).statusCode).toBe(404);
  });

  it('answers 404 to anyone who cannot see the ticket, and changes nothing', async () => {
    const id = await createTicket(ann);
    await outsider.get('/');
    for (const [url, form] of [
      [`/tickets/${id}/associated`, { associate: String(ids.cy) }],
      [`/tickets/${id}/associated/remove`, { staff_id: String(ids.ann) }],
      ['/tickets/999999/associated', { associate: String(ids.cy) }],
      ['/tickets/x/associated', { associate: String(ids.cy) }],
    ] as const) {
      expect((await outsider.post(url, form)).statusCode, url).toBe(404);
      expect((await outsider.htmx('POST', url, form)).statusCode, url).toBe(404);
    }
    expect(await associatedIds(id)).toEqual([]);
  });

  it('refuses a change without the form token (CSRF)', async () => {
    const id = await createTicket(ann);
    const noToken = await ann.post(`/tickets/${id}/associated`, {
      _csrf: 'wrong',
      associate: String(ids.cy),
    });
    expect(noToken.statusCode).toBe(403);
    const remove = await ann.post(`/tickets/${id}/associated/remove`, {
      _csrf: '',
      staff_id: String(ids.ann),
    });
    expect(remove.statusCode).toBe(403);
    expect(await associatedIds(id)).toEqual([]);
  });
});

describe('the add form without JavaScript', () => {
  it('searches, and picks from the pick list, then adds', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const searched = await ann.post(`/tickets/${id}/associated`, {
      associate: '',
      associate_q: 'diaz',
      associate_search: '1',
    });
    expect(searched.statusCode).toBe(200);
    expect(await associatedIds(id)).toEqual([]);
    expect(searched.body).toMatch(
      new RegExp(`<option value="${ids.cy}" selected data-match>Cy Diaz · Staff · Intake</option>`),
    );
    expect(readable(searched.body)).toContain('1 person matches “diaz”');

    const page = await ann.post(`/tickets/${id}/associated`, {
      associate: '',
      associate_picklist: '1',
    });
    expect(page.body).toContain(`action="/tickets/${id}/associated"`);
    expect(page.body).toContain(
      `<button type="submit" name="associate" value="${ids.di}" class="pick">Di Evans</button>`,
    );
    expect(page.body).not.toContain('[self]');
    const back = await ann.post(`/tickets/${id}/associated`, {
      associate: String(ids.di),
      associate_return: '1',
    });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain(`<option value="${ids.di}" selected>Di Evans · Staff</option>`);
    expect(await associatedIds(id)).toEqual([]);
    const added = await ann.post(`/tickets/${id}/associated`, { associate: String(ids.di) });
    expect(added.statusCode).toBe(303);
    expect(await associatedIds(id)).toEqual([ids.di]);
  });
});
