import { describe, expect, it } from 'vitest';
import { signIn } from '../../helpers/app.js';
import {
  configureDesk,
  DESK,
  escalationOf,
  outboxTo,
  PHI,
  useEscalationWorld,
} from '../../helpers/escalation.js';
import { createTicket, saveTicket } from '../../helpers/tickets.js';

const w = useEscalationWorld();

describe('sending a ticket to the desk', () => {
  it('from the ticket window: marks it, adds a timeline entry and queues a title-only email to the desk', async () => {
    const before = (await outboxTo(w.t, DESK.email)).length;
    const id = await createTicket(w.chip, {
      title: 'Claims export fails',
      description: `Client ${PHI} cannot be billed`,
      send_to_desk: '1',
    });
    const [escalation] = await escalationOf(w.t, id);
    expect(escalation).toMatchObject({
      sent_by: w.ids.chip,
      desk_name: DESK.name,
      desk_email: DESK.email,
    });

    const page = await w.chip.get(`/tickets/${id}?created=1`);
    expect(page.body).toMatch(/Sent to Procentive Support on [^<]+ by Chip Champion\./);
    expect(page.body).toMatch(/Chip Champion<\/span>\s*sent the ticket to Procentive Support\./);
    // Sent once: the checkbox is gone.
    expect(page.body).not.toContain('name="send_to_desk"');

    const mail = await outboxTo(w.t, DESK.email);
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
    const id = await createTicket(w.chip, {
      title: 'Statements print blank',
      description: `Seen for ${PHI}`,
    });
    await w.chip.post(`/tickets/${id}/notes`, { note: `Called about ${PHI} again` });
    const response = await saveTicket(w.chip, id, { priority: 'high', send_to_desk: '1' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/tickets/${id}?sent=1`);
    const page = await w.chip.get(String(response.headers.location));
    expect(page.body).toContain('Sent to the escalation desk.');
    expect(page.body).toMatch(/changed Priority from <q>None<\/q> to <q>High<\/q>/);
    expect(page.body).toContain('sent the ticket to Procentive Support.');
    const [row] = (await outboxTo(w.t, DESK.email)).filter((m) => m.ticket_id === id);
    expect(row?.subject).toBe(`[hushdesk #${id}] Statements print blank`);
    expect(row?.text_body).not.toContain(PHI);
    expect(row?.html_body).not.toContain(PHI);
    expect(row?.text_body).not.toContain('again');
  });

  it('answers htmx with the ticket fragment saying so', async () => {
    const id = await createTicket(w.chip, { title: 'Sent with htmx' });
    await w.chip.get(`/tickets/${id}`);
    const response = await w.chip.htmx('POST', `/tickets/${id}/escalate`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^<section id="ticket"/);
    expect(response.body).toContain('Sent to Procentive Support.');
    expect(response.body).toContain('id="sent-to-desk"');
  });

  it('also tells the ticket’s creator, but not the champion who sent it', async () => {
    const id = await createTicket(w.ann, { title: 'Ann asks, Chip sends' });
    await w.chip.get(`/tickets/${id}`);
    expect((await w.chip.post(`/tickets/${id}/escalate`)).statusCode).toBe(303);
    const rows = await w.t.app.db
      .selectFrom('outbox')
      .select(['to_address', 'kind'])
      .where('ticket_id', '=', id)
      .execute();
    expect(rows.map((r) => r.to_address).sort()).toEqual(['ann@example.org', DESK.email]);
    expect(rows.every((r) => r.kind === 'escalated')).toBe(true);
  });

  it('happens once: sending again is refused with a clear message and queues nothing', async () => {
    const id = await createTicket(w.chip, { title: 'Only once' });
    await w.chip.get(`/tickets/${id}`);
    expect((await w.chip.post(`/tickets/${id}/escalate`)).statusCode).toBe(303);
    const queued = (await outboxTo(w.t, DESK.email)).length;

    const dana = await signIn(w.t.app, 'dana');
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

    expect((await outboxTo(w.t, DESK.email)).length).toBe(queued);
    expect(await escalationOf(w.t, id)).toHaveLength(1);
    const events = await w.t.app.db
      .selectFrom('ticket_events')
      .select('kind')
      .where('ticket_id', '=', id)
      .where('kind', '=', 'escalated')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('says the desk is not set up when it is not, and sends nothing', async () => {
    const id = await createTicket(w.chip, { title: 'No desk yet' });
    await configureDesk(w.t, { name: null, email: null });
    await w.chip.get(`/tickets/${id}`);
    const response = await w.chip.post(`/tickets/${id}/escalate`);
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('The escalation desk is not set up');
    expect(await escalationOf(w.t, id)).toHaveLength(0);

    await w.chip.get('/tickets/new');
    const created = await w.chip.post('/tickets', {
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
