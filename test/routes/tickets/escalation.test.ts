import { describe, expect, it } from 'vitest';
import { signIn } from '../../helpers/app.js';
import { storedTicket, ticketsTitled } from '../../helpers/db.js';
import { configureDesk, DESK, escalationOf, useEscalationWorld } from '../../helpers/escalation.js';
import { createTicket, editBase, insertTicket, saveTicket } from '../../helpers/tickets.js';

const w = useEscalationWorld();

describe('the "Send to <desk>" checkbox', () => {
  it('is offered to a champion in the ticket window and on the ticket page once the desk is set up', async () => {
    const window = await w.chip.get('/tickets/new');
    expect(window.body).toContain('name="send_to_desk"');
    expect(window.body).toContain('Send to Procentive Support');
    const id = await createTicket(w.chip, { title: 'Checkbox on the page' });
    const page = await w.chip.get(`/tickets/${id}`);
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
      await configureDesk(w.t, desk);
      const window = await w.chip.get('/tickets/new');
      expect(window.body).not.toContain('send_to_desk');
      const staffWindow = await w.ann.get('/tickets/new');
      expect(staffWindow.body).not.toContain('Only champions');
    }
  });

  it('is not shown to staff, who are told only champions can send and are offered the champions', async () => {
    const window = await w.ann.get('/tickets/new');
    expect(window.body).not.toContain('name="send_to_desk"');
    expect(window.body).toContain('Only champions can send tickets to Procentive Support.');
    expect(window.body).toContain('Chip Champion, Dana Dent');
    // The champions are in the Assigned To list of the window.
    expect(window.body).toContain(`<option value="${w.ids.chip}"`);

    const id = await createTicket(w.ann, { title: 'Needs a champion' });
    const page = await w.ann.get(`/tickets/${id}`);
    expect(page.body).not.toContain('name="send_to_desk"');
    expect(page.body).toContain('Only champions can send tickets to Procentive Support.');
    expect(page.body).toContain('Assign to Chip Champion');
    expect(page.body).toContain('Assign to Dana Dent');
  });

  it('lets staff assign their ticket to a champion in one click, staying associated', async () => {
    const id = await createTicket(w.ann, { title: 'Over to a champion' });
    const { version } = await editBase(w.ann, id);
    const response = await w.ann.post(`/tickets/${id}/assign-champion`, {
      champion: String(w.ids.dana),
      version,
    });
    expect(response.statusCode).toBe(303);
    const ticket = await storedTicket(w.t.app.db, id);
    expect(ticket.assignee_id).toBe(w.ids.dana);
    const page = await w.ann.get(`/tickets/${id}`);
    expect(page.body).toContain('Dana Dent <span class="tag">Assigned</span>');
    expect(page.body).toMatch(/id="associated-staff">[\s\S]*Ann Lee/);
    // Dana can now open it, and send it.
    const dana = await signIn(w.t.app, 'dana');
    expect((await dana.get(`/tickets/${id}`)).body).toContain('name="send_to_desk"');
  });

  it('refuses to assign to someone who is not a champion', async () => {
    const id = await createTicket(w.ann, { title: 'Not to a non-champion' });
    const { version } = await editBase(w.ann, id);
    const response = await w.ann.post(`/tickets/${id}/assign-champion`, {
      champion: String(w.ids.ann),
      version,
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Choose one of the champions listed.');
  });
});

describe('who may send', () => {
  it('refuses staff without the permission with 403, on the route and on Save, changing nothing', async () => {
    const id = await createTicket(w.ann, { title: 'Ann may not send' });
    await w.ann.get(`/tickets/${id}`);
    expect((await w.ann.post(`/tickets/${id}/escalate`)).statusCode).toBe(403);
    expect((await w.ann.htmx('POST', `/tickets/${id}/escalate`)).statusCode).toBe(403);
    const save = await saveTicket(w.ann, id, { title: 'Retitled by Ann', send_to_desk: '1' });
    expect(save.statusCode).toBe(403);
    await w.ann.get('/tickets/new');
    const create = await w.ann.post('/tickets', {
      title: 'Ann tries on create',
      priority: 'none',
      assignee: 'self',
      send_to_desk: '1',
    });
    expect(create.statusCode).toBe(403);

    expect(await escalationOf(w.t, id)).toHaveLength(0);
    const ticket = await storedTicket(w.t.app.db, id);
    expect(ticket.title).toBe('Ann may not send');
    expect(await ticketsTitled(w.t.app.db, 'Ann tries on create')).toHaveLength(0);
  });

  it('answers 404 to someone who may send but cannot see the ticket, as for a missing one', async () => {
    const hidden = await insertTicket(
      w.t.app.db,
      { title: 'Not Lone’s', createdBy: w.ids.ann },
      w.t.app.now(),
    );
    const lone = await signIn(w.t.app, 'lone');
    await lone.get('/');
    const response = await lone.post(`/tickets/${hidden}/escalate`);
    expect(response.statusCode).toBe(404);
    expect((await lone.post('/tickets/999999/escalate')).statusCode).toBe(404);
    expect(await escalationOf(w.t, hidden)).toHaveLength(0);
    // Lone's own ticket can be sent.
    const own = await createTicket(lone, { title: 'Lone’s own' });
    expect((await lone.post(`/tickets/${own}/escalate`)).statusCode).toBe(303);
  });

  it('checks the CSRF token', async () => {
    const id = await createTicket(w.chip, { title: 'Forged send' });
    const response = await w.chip.post(`/tickets/${id}/escalate`, { _csrf: 'forged' });
    expect(response.statusCode).toBe(403);
    expect(await escalationOf(w.t, id)).toHaveLength(0);
  });
});

describe('lists', () => {
  it('badge a ticket sent to the desk', async () => {
    const id = await createTicket(w.chip, { title: 'Badge me', send_to_desk: '1' });
    const list = await w.chip.get('/tickets?q=Badge');
    expect(list.body).toMatch(
      new RegExp(
        `id="ticket-${id}"[\\s\\S]*?Badge me</a> <span class="badge sent">Sent to desk</span>`,
      ),
    );
  });
});
