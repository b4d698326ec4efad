import { describe, expect, it } from 'vitest';
import { setSetting } from '../../../src/repositories/settings.js';
import { addStaff, signIn } from '../../helpers/app.js';
import { auditRows, storedTicket } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { link, MARKER, useRelatedWorld } from '../../helpers/related.js';
import { createTicket, saveTicket } from '../../helpers/tickets.js';

/** Links, waiting-on and completing children over HTTP, with mail to a real SMTP server. */
const w = useRelatedWorld();
const statusOf = (id: number) => storedTicket(w.t.app.db, id);

describe('links between tickets', () => {
  it('shows a link on both pages with number, title and status, and records it twice', async () => {
    const a = await createTicket(w.ann, { title: 'Scanner at intake jams' });
    const b = await createTicket(w.ann, { title: 'Intake scanner driver update' });
    const response = await link(w.ann, a, `#${b}`);
    expect(response.statusCode).toBe(303);
    const pageA = (await w.ann.get(`/tickets/${a}`)).body;
    expect(pageA).toContain(`#${b} Intake scanner driver update</a>`);
    expect(pageA).toMatch(/Related to\s*<a/);
    expect(pageA).toContain(`linked this ticket as related to #${b} Intake scanner driver update.`);
    const pageB = (await w.ann.get(`/tickets/${b}`)).body;
    expect(pageB).toContain(`#${a} Scanner at intake jams</a>`);
    const audit = (await auditRows(w.t.app, 'ticket-linked')).map((r) => [r.ticket_id, r.detail]);
    expect(audit).toEqual(
      expect.arrayContaining([
        [a, `related to #${b}`],
        [b, `related to #${a}`],
      ]),
    );
  });

  it('waiting on: the child says "Waiting on", the parent "Waited on by"', async () => {
    const parent = await createTicket(w.ann, { title: 'Billing module down' });
    const child = await createTicket(w.ann, { title: 'Cannot post payments' });
    expect((await link(w.ann, child, String(parent), 'waiting_on')).statusCode).toBe(303);
    expect((await w.ann.get(`/tickets/${child}`)).body).toMatch(
      /Waiting on\s*<a href="\/tickets\/\d+">#\d+ Billing module down/,
    );
    expect((await w.ann.get(`/tickets/${parent}`)).body).toMatch(
      /Waited on by\s*<a href="\/tickets\/\d+">#\d+ Cannot post payments/,
    );
  });

  it('refuses a ticket the person may not see exactly as a missing one, keeping what was typed', async () => {
    const mine = await createTicket(w.ann, { title: 'Mine' });
    const theirs = await createTicket(w.out, { title: 'Outsider secret title' });
    const refused = await link(w.ann, mine, String(theirs));
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`There is no ticket #${theirs} that you can see.`);
    expect(refused.body).not.toContain('Outsider secret title');
    expect(refused.body).toMatch(/id="link-other"[^>]*value="\d+"/);
    const missing = await link(w.ann, mine, '999999');
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('There is no ticket #999999 that you can see.');
    expect((await link(w.ann, mine, String(mine))).body).toContain('cannot be linked to itself');
    expect((await link(w.ann, mine, 'twelve')).body).toContain('Type one ticket number');
  });

  it('shows a linked ticket an outsider may not see as "a ticket you cannot see": no number, no title', async () => {
    // Ann links her ticket to one shared with Bo; Bo sees his, never Ann's other ticket.
    const shared = await createTicket(w.ann, {
      title: 'Shared with Bo',
      assignee: String(w.ids.bo),
    });
    const secret = await createTicket(w.ann, { title: 'Ann only SECRETWORD' });
    expect((await link(w.ann, shared, String(secret))).statusCode).toBe(303);
    const page = readable((await w.bo.get(`/tickets/${shared}`)).body);
    expect(page).toContain('a ticket you cannot see');
    expect(page).not.toContain('SECRETWORD');
    expect(page).not.toContain(`#${secret}`);
    expect(page).not.toContain(`/tickets/${secret}`);
    // And the ticket itself stays 404 to him.
    expect((await w.bo.get(`/tickets/${secret}`)).statusCode).toBe(404);
    // Nor can he link from a ticket he may not see.
    expect((await link(w.bo, secret, String(shared))).statusCode).toBe(404);
  });

  it('removes a link, on both timelines', async () => {
    const a = await createTicket(w.ann, { title: 'Left' });
    const b = await createTicket(w.ann, { title: 'Right' });
    await link(w.ann, a, String(b));
    const linkId = /\/links\/(\d+)\/remove/.exec((await w.ann.get(`/tickets/${a}`)).body)?.[1];
    expect((await w.ann.post(`/tickets/${b}/links/${linkId}/remove`, {})).statusCode).toBe(303);
    expect((await w.ann.get(`/tickets/${a}`)).body).toContain(`removed the link to #${b} Right.`);
    expect((await w.ann.get(`/tickets/${b}`)).body).toContain('None linked.');
    // Someone who cannot see the ticket gets 404, as for any route under it.
    expect((await w.out.post(`/tickets/${a}/links/${linkId}/remove`, {})).statusCode).toBe(404);
  });
});

describe('completing a parent', () => {
  it('offers to complete its waiting children and does so in the same Save, telling their people', async () => {
    const parent = await createTicket(w.champ, { title: 'Clearinghouse outage' });
    const one = await createTicket(w.ann, { title: 'Claims stuck one' });
    const two = await createTicket(w.bo, { title: 'Claims stuck two', description: MARKER });
    const done = await createTicket(w.ann, { title: 'Already done child' });
    await saveTicket(w.ann, done, { status: 'complete' });
    // The champion sees every ticket, so links them all.
    for (const child of [one, two, done]) {
      expect((await link(w.champ, child, String(parent), 'waiting_on')).statusCode).toBe(303);
    }
    await w.delivered();
    const page = (await w.champ.get(`/tickets/${parent}`)).body;
    expect(page).toContain('Tickets waiting on this one');
    expect(page).toContain('name="complete_children"');
    expect(page).toContain('Claims stuck one');
    expect(page).not.toContain('Already done child</a> (');
    const saved = await saveTicket(w.champ, parent, {
      status: 'complete',
      complete_children: 'yes',
    });
    expect(saved.statusCode).toBe(303);
    const today = (await statusOf(parent)).completed_date;
    expect(today).toBe('2026-11-27');
    for (const child of [one, two]) {
      expect(await statusOf(child)).toMatchObject({ status: 'complete', completed_date: today });
    }
    const mails = await w.delivered();
    const to = mails.map((m) => m.to.join()).sort();
    expect(to).toEqual(['ann@example.org', 'bo@example.org']);
    for (const m of mails) {
      expect(m.mail.subject).toMatch(/^\[hushdesk #\d+\] Claims stuck (one|two)$/);
      expect(m.mail.text).toContain('to Complete');
      expect(m.raw).not.toContain(MARKER);
    }
    expect((await w.ann.get(`/tickets/${one}`)).body).toContain(
      'changed Status from <q>New</q> to <q>Complete</q>',
    );
  });

  it('leaves the children alone when the box is not ticked, and when the ticket is not completed', async () => {
    const parent = await createTicket(w.champ, { title: 'Portal slow' });
    const child = await createTicket(w.ann, { title: 'Portal child' });
    await link(w.ann, child, String(parent), 'waiting_on');
    await saveTicket(w.champ, parent, { status: 'in_progress', complete_children: 'yes' });
    expect((await statusOf(child)).status).toBe('new');
    await saveTicket(w.champ, parent, { status: 'complete' });
    expect((await statusOf(child)).status).toBe('new');
  });

  it('does not complete children the person may not see', async () => {
    const parent = await createTicket(w.ann, { title: 'Ann parent' });
    // Bo's child waits on Ann's parent (made by a champion who sees both).
    const hidden = await createTicket(w.bo, { title: 'Bo hidden child' });
    await link(w.champ, hidden, String(parent), 'waiting_on');
    const page = (await w.ann.get(`/tickets/${parent}`)).body;
    expect(page).not.toContain('Bo hidden child');
    expect(page).not.toContain('name="complete_children"');
    await saveTicket(w.ann, parent, { status: 'complete', complete_children: 'yes' });
    expect((await statusOf(hidden)).status).toBe('new');
  });
});

/** Kept counts and report times against a count from scratch. */

describe('External support', () => {
  it('reads a sent ticket’s links but is offered no link, unlink or completing form, and is refused them', async () => {
    const now = w.t.app.now();
    await setSetting(w.t.app.db, 'escalation_desk_name', 'Vendor Support', null, now);
    await setSetting(w.t.app.db, 'escalation_desk_email', 'desk@vendor.example', null, now);
    await addStaff(w.t.app, 'desk', { name: 'Desk Person', role: 'external' });
    const desk = await signIn(w.t.app, 'desk');
    const sent = await createTicket(w.champ, { title: 'Sent parent', send_to_desk: '1' });
    const child = await createTicket(w.champ, { title: 'Local child' });
    await link(w.champ, child, String(sent), 'waiting_on');
    const page = await desk.get(`/tickets/${sent}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/Waited on by\s*<em>a ticket you cannot see<\/em>/);
    expect(page.body).not.toContain('Local child');
    expect(page.body).not.toContain(`action="/tickets/${sent}/links"`);
    expect(page.body).not.toContain('/remove"');
    expect(page.body).not.toContain('complete_children');
    expect((await link(desk, sent, String(child))).statusCode).toBe(403);
  });
});
