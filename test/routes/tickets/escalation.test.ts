import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/auth/passwords.js';
import { createRole } from '../../../src/repositories/roles.js';
import { setSetting } from '../../../src/repositories/settings.js';
import { createStaff } from '../../../src/repositories/staff.js';
import {
  addStaff,
  type Browser,
  createTestApp,
  PASSWORD,
  signIn,
  type TestApp,
} from '../../helpers/app.js';
import { createTicket, editBase, insertTicket, saveTicket } from '../../helpers/tickets.js';

const DESK = { name: 'Procentive Support', email: 'support@procentive.example' };
/** Typed into descriptions and notes: it must never reach an email. */
const PHI = 'CLIENT-4411-DOS-1120';

let t: TestApp;
let chip: Browser;
let ann: Browser;
let ids: Record<'chip' | 'dana' | 'ann' | 'lone', number>;

async function configureDesk(desk: { name: string | null; email: string | null }) {
  const now = t.app.now();
  await setSetting(t.app.db, 'escalation_desk_name', desk.name, null, now);
  await setSetting(t.app.db, 'escalation_desk_email', desk.email, null, now);
}

function outboxTo(address: string) {
  return t.app.db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', address)
    .orderBy('id')
    .execute();
}

function escalationOf(ticketId: number) {
  return t.app.db
    .selectFrom('ticket_escalations')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .execute();
}

beforeAll(async () => {
  t = await createTestApp();
  ids = {
    chip: (await addStaff(t.app, 'chip', { name: 'Chip Champion', role: 'champion' })).id,
    dana: (await addStaff(t.app, 'dana', { name: 'Dana Dent', role: 'champion' })).id,
    ann: (await addStaff(t.app, 'ann', { name: 'Ann Lee' })).id,
    lone: 0,
  };
  // A role that may send to the desk but sees only its own tickets.
  const role = await createRole(t.app.db, 'Desk liaison', ['send_to_desk'], t.app.now());
  ids.lone = (
    await createStaff(
      t.app.db,
      {
        name: 'Lone Liaison',
        username: 'lone',
        email: 'lone@example.org',
        department: null,
        passwordHash: await hashPassword(PASSWORD),
        roleId: role,
      },
      t.app.now(),
    )
  ).id;
  chip = await signIn(t.app, 'chip');
  ann = await signIn(t.app, 'ann');
});
afterAll(() => t.close());
beforeEach(() => configureDesk(DESK));

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
      await configureDesk(desk);
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

describe('sending a ticket to the desk', () => {
  it('from the ticket window: marks it, adds a timeline entry and queues a title-only email to the desk', async () => {
    const before = (await outboxTo(DESK.email)).length;
    const id = await createTicket(chip, {
      title: 'Claims export fails',
      description: `Client ${PHI} cannot be billed`,
      send_to_desk: '1',
    });
    const [escalation] = await escalationOf(id);
    expect(escalation).toMatchObject({
      sent_by: ids.chip,
      desk_name: DESK.name,
      desk_email: DESK.email,
    });

    const page = await chip.get(`/tickets/${id}?created=1`);
    expect(page.body).toMatch(/Sent to Procentive Support on [^<]+ by Chip Champion\./);
    expect(page.body).toMatch(/Chip Champion<\/span>\s*sent the ticket to Procentive Support\./);
    // Sent once: the checkbox is gone.
    expect(page.body).not.toContain('name="send_to_desk"');

    const mail = await outboxTo(DESK.email);
    expect(mail.length).toBe(before + 1);
    const row = mail.at(-1);
    expect(row).toMatchObject({
      kind: 'escalated',
      recipient_staff_id: null,
      ticket_id: id,
      subject: `[hushdesk #${id}] Claims export fails`,
    });
    for (const body of [row?.text_body ?? '', row?.html_body ?? '']) {
      expect(body).toContain(`#${id}`);
      expect(body).toContain('Claims export fails');
      expect(body).toContain(`http://localhost:3000/tickets/${id}`);
      expect(body).toContain('Chip Champion');
      expect(body).not.toContain(PHI);
    }
  });

  it('from the ticket page, on Save, together with other changes; the note and description stay home', async () => {
    const id = await createTicket(chip, {
      title: 'Statements print blank',
      description: `Seen for ${PHI}`,
    });
    await chip.post(`/tickets/${id}/notes`, { note: `Called about ${PHI} again` });
    const response = await saveTicket(chip, id, { priority: 'high', send_to_desk: '1' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/tickets/${id}?sent=1`);
    const page = await chip.get(String(response.headers.location));
    expect(page.body).toContain('Sent to the escalation desk.');
    expect(page.body).toMatch(/changed Priority from <q>None<\/q> to <q>High<\/q>/);
    expect(page.body).toContain('sent the ticket to Procentive Support.');
    const [row] = (await outboxTo(DESK.email)).filter((m) => m.ticket_id === id);
    expect(row?.subject).toBe(`[hushdesk #${id}] Statements print blank`);
    expect(row?.text_body).not.toContain(PHI);
    expect(row?.html_body).not.toContain(PHI);
    expect(row?.text_body).not.toContain('again');
  });

  it('answers htmx with the ticket fragment saying so', async () => {
    const id = await createTicket(chip, { title: 'Sent with htmx' });
    await chip.get(`/tickets/${id}`);
    const response = await chip.htmx('POST', `/tickets/${id}/escalate`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^<section id="ticket"/);
    expect(response.body).toContain('Sent to Procentive Support.');
    expect(response.body).toContain('id="sent-to-desk"');
  });

  it('also tells the ticket’s creator, but not the champion who sent it', async () => {
    const id = await createTicket(ann, { title: 'Ann asks, Chip sends' });
    await chip.get(`/tickets/${id}`);
    expect((await chip.post(`/tickets/${id}/escalate`)).statusCode).toBe(303);
    const rows = await t.app.db
      .selectFrom('outbox')
      .select(['to_address', 'kind'])
      .where('ticket_id', '=', id)
      .execute();
    expect(rows.map((r) => r.to_address).sort()).toEqual(['ann@example.org', DESK.email]);
    expect(rows.every((r) => r.kind === 'escalated')).toBe(true);
  });

  it('happens once: sending again is refused with a clear message and queues nothing', async () => {
    const id = await createTicket(chip, { title: 'Only once' });
    await chip.get(`/tickets/${id}`);
    expect((await chip.post(`/tickets/${id}/escalate`)).statusCode).toBe(303);
    const queued = (await outboxTo(DESK.email)).length;

    const dana = await signIn(t.app, 'dana');
    await dana.get(`/tickets/${id}`);
    const again = await dana.post(`/tickets/${id}/escalate`);
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatch(
      /This ticket was already sent to Procentive Support on [^<]+ by Chip Champion; a ticket is sent once\./,
    );
    // A form opened before it was sent, saved with the box ticked: refused, input kept.
    const stale = await saveTicket(dana, id, { title: 'Only once, retitled', send_to_desk: '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('already sent to Procentive Support');
    expect(stale.body).toContain('value="Only once, retitled"');

    expect((await outboxTo(DESK.email)).length).toBe(queued);
    expect(await escalationOf(id)).toHaveLength(1);
    const events = await t.app.db
      .selectFrom('ticket_events')
      .select('kind')
      .where('ticket_id', '=', id)
      .where('kind', '=', 'escalated')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('says the desk is not set up when it is not, and sends nothing', async () => {
    const id = await createTicket(chip, { title: 'No desk yet' });
    await configureDesk({ name: null, email: null });
    await chip.get(`/tickets/${id}`);
    const response = await chip.post(`/tickets/${id}/escalate`);
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('The escalation desk is not set up');
    expect(await escalationOf(id)).toHaveLength(0);

    await chip.get('/tickets/new');
    const created = await chip.post('/tickets', {
      title: 'Ticked, but no desk',
      priority: 'none',
      assignee: 'self',
      send_to_desk: '1',
    });
    expect(created.statusCode).toBe(422);
    expect(created.body).toContain('The escalation desk is not set up');
    expect(created.body).toContain('value="Ticked, but no desk"');
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

    expect(await escalationOf(id)).toHaveLength(0);
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
    expect(await escalationOf(hidden)).toHaveLength(0);
    // Lone's own ticket can be sent.
    const own = await createTicket(lone, { title: 'Lone’s own' });
    expect((await lone.post(`/tickets/${own}/escalate`)).statusCode).toBe(303);
  });

  it('checks the CSRF token', async () => {
    const id = await createTicket(chip, { title: 'Forged send' });
    const response = await chip.post(`/tickets/${id}/escalate`, { _csrf: 'forged' });
    expect(response.statusCode).toBe(403);
    expect(await escalationOf(id)).toHaveLength(0);
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
