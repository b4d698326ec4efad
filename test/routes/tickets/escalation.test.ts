import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Browser, signIn, type TestApp } from '../../helpers/app.js';
import {
  buildEscalationWorld,
  configureDesk,
  DESK,
  type EscalationWorld,
  escalationOf,
} from '../../helpers/escalation.js';
import { createTicket, editBase, insertTicket, saveTicket } from '../../helpers/tickets.js';

let t: TestApp;
let chip: Browser;
let ann: Browser;
let ids: EscalationWorld['ids'];
beforeAll(async () => {
  ({ t, chip, ann, ids } = await buildEscalationWorld());
});
afterAll(() => t.close());
beforeEach(() => configureDesk(t, DESK));

describe('the "Send to <desk>" checkbox', () => {
  it('is offered to a champion in the ticket window and on the ticket page once the desk is set up', async () => {
    const window = await chip.get('/tickets/new');
    expect(window.body).toContain('name="send_to_desk"');
    expect(window.body).toContain('Send to Procentive Support');
    const id = await createTicket(chip, { title: 'Checkbox on the page' });
    const page = await chip.get(`/tickets/${id}`);
    expect(page.body).toMatch(/<input type="checkbox" id="send_to_desk" name="send_to_desk"/);
    expect(page.body).not.toContain('Only champions can send');
  });

  it('is not there until both the desk’s name and email are set', async () => {
    for (const desk of [
      { name: null, email: null },
      { name: 'Procentive Support', email: null },
      { name: null, email: DESK.email },
      { name: '  ', email: DESK.email },
    ]) {
      await configureDesk(t, desk);
      const window = await chip.get('/tickets/new');
      expect(window.body).not.toContain('send_to_desk');
      const staffWindow = await ann.get('/tickets/new');
      expect(staffWindow.body).not.toContain('Only champions');
    }
  });

  it('is not shown to staff, who are told only champions can send and are offered the champions', async () => {
    const window = await ann.get('/tickets/new');
    expect(window.body).not.toContain('name="send_to_desk"');
    expect(window.body).toContain('Only champions can send tickets to Procentive Support.');
    expect(window.body).toContain('Chip Champion, Dana Dent');
    // The champions are in the Assigned To list of the window.
    expect(window.body).toContain(`<option value="${ids.chip}"`);

    const id = await createTicket(ann, { title: 'Needs a champion' });
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).not.toContain('name="send_to_desk"');
    expect(page.body).toContain('Only champions can send tickets to Procentive Support.');
    expect(page.body).toContain('Assign to Chip Champion');
    expect(page.body).toContain('Assign to Dana Dent');
  });

  it('lets staff assign their ticket to a champion in one click, staying associated', async () => {
    const id = await createTicket(ann, { title: 'Over to a champion' });
    const { version } = await editBase(ann, id);
    const response = await ann.post(`/tickets/${id}/assign-champion`, {
      champion: String(ids.dana),
      version,
    });
    expect(response.statusCode).toBe(303);
    const ticket = await t.app.db
      .selectFrom('tickets')
      .select('assignee_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(ticket.assignee_id).toBe(ids.dana);
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toContain('Dana Dent <span class="tag">Assigned</span>');
    expect(page.body).toMatch(/id="associated-staff">[\s\S]*Ann Lee/);
    // Dana can now open it, and send it.
    const dana = await signIn(t.app, 'dana');
    expect((await dana.get(`/tickets/${id}`)).body).toContain('name="send_to_desk"');
  });

  it('refuses to assign to someone who is not a champion', async () => {
    const id = await createTicket(ann, { title: 'Not to a non-champion' });
    const { version } = await editBase(ann, id);
    const response = await ann.post(`/tickets/${id}/assign-champion`, {
      champion: String(ids.ann),
      version,
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Choose one of the champions listed.');
  });
});

describe('who may send', () => {
  it('refuses staff without the permission with 403, on the route and on Save, changing nothing', async () => {
    const id = await createTicket(ann, { title: 'Ann may not send' });
    await ann.get(`/tickets/${id}`);
    expect((await ann.post(`/tickets/${id}/escalate`)).statusCode).toBe(403);
    expect((await ann.htmx('POST', `/tickets/${id}/escalate`)).statusCode).toBe(403);
    const save = await saveTicket(ann, id, { title: 'Retitled by Ann', send_to_desk: '1' });
    expect(save.statusCode).toBe(403);
    await ann.get('/tickets/new');
    const create = await ann.post('/tickets', {
      title: 'Ann tries on create',
      priority: 'none',
      assignee: 'self',
      send_to_desk: '1',
    });
    expect(create.statusCode).toBe(403);

    expect(await escalationOf(t, id)).toHaveLength(0);
    const ticket = await t.app.db
      .selectFrom('tickets')
      .select('title')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(ticket.title).toBe('Ann may not send');
    const created = await t.app.db
      .selectFrom('tickets')
      .select('id')
      .where('title', '=', 'Ann tries on create')
      .execute();
    expect(created).toHaveLength(0);
  });

  it('answers 404 to someone who may send but cannot see the ticket, as for a missing one', async () => {
    const hidden = await insertTicket(
      t.app.db,
      { title: 'Not Lone’s', createdBy: ids.ann },
      t.app.now(),
    );
    const lone = await signIn(t.app, 'lone');
    await lone.get('/');
    const response = await lone.post(`/tickets/${hidden}/escalate`);
    expect(response.statusCode).toBe(404);
    expect((await lone.post('/tickets/999999/escalate')).statusCode).toBe(404);
    expect(await escalationOf(t, hidden)).toHaveLength(0);
    // Lone's own ticket can be sent.
    const own = await createTicket(lone, { title: 'Lone’s own' });
    expect((await lone.post(`/tickets/${own}/escalate`)).statusCode).toBe(303);
  });

  it('checks the CSRF token', async () => {
    const id = await createTicket(chip, { title: 'Forged send' });
    const response = await chip.post(`/tickets/${id}/escalate`, { _csrf: 'forged' });
    expect(response.statusCode).toBe(403);
    expect(await escalationOf(t, id)).toHaveLength(0);
  });
});

describe('lists', () => {
  it('badge a ticket sent to the desk', async () => {
    const id = await createTicket(chip, { title: 'Badge me', send_to_desk: '1' });
    const list = await chip.get('/tickets?q=Badge');
    expect(list.body).toMatch(
      new RegExp(
        `id="ticket-${id}"[\\s\\S]*?Badge me</a> <span class="badge sent">Sent to desk</span>`,
      ),
    );
  });
});
