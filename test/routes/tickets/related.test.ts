import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FILL_REPORT_TIMES } from '../../../migrations/0080_reports.js';
import { fillReportMinutes } from '../../../migrations/0180_report_daily.js';
import { storeOf } from '../../../src/db/dialect/store.js';
import { setSetting } from '../../../src/repositories/settings.js';
import { countMyTickets, recountMyTickets } from '../../../src/repositories/ticket-scopes.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { auditRows, storedTicket } from '../../helpers/db.js';
import { TestSmtpServer } from '../../helpers/smtp.js';
import { createTicket, saveTicket } from '../../helpers/tickets.js';

/** Links, waiting-on, completing children and merging, over HTTP, with mail to a real SMTP server. */
let smtp: TestSmtpServer;
let t: TestApp;
let ann: Browser;
let bo: Browser;
let out: Browser;
let champ: Browser;
const ids: Record<string, number> = {};
const MARKER = 'PHI-MARKER-41c9';

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  t = await createTestApp({ SMTP_URL: smtp.url, SMTP_FROM: 'Help desk <help@agency.org>' });
  for (const [name, role] of [
    ['ann', 'staff'],
    ['bo', 'staff'],
    ['out', 'staff'],
    ['champ', 'champion'],
    ['admin', 'admin'],
  ] as const) {
    ids[name] = (await addStaff(t.app, name, { name: `${name} Person`, role })).id;
  }
  ann = await signIn(t.app, 'ann');
  bo = await signIn(t.app, 'bo');
  out = await signIn(t.app, 'out');
  champ = await signIn(t.app, 'champ');
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});
beforeEach(async () => {
  await t.app.outbox.runOnce();
  smtp.received.length = 0;
});

function delivered() {
  return smtp.deliveredBy(t.app.outbox);
}

const link = (browser: Browser, id: number, other: string, kind = 'related') =>
  browser.post(`/tickets/${id}/links`, { other, kind });

const statusOf = (id: number) => storedTicket(t.app.db, id);

describe('links between tickets', () => {
  it('shows a link on both pages with number, title and status, and records it twice', async () => {
    const a = await createTicket(ann, { title: 'Scanner at intake jams' });
    const b = await createTicket(ann, { title: 'Intake scanner driver update' });
    const response = await link(ann, a, `#${b}`);
    expect(response.statusCode).toBe(303);
    const pageA = (await ann.get(`/tickets/${a}`)).body;
    expect(pageA).toContain(`#${b} Intake scanner driver update</a>`);
    expect(pageA).toMatch(/Related to\s*<a/);
    expect(pageA).toContain(`linked this ticket as related to #${b} Intake scanner driver update.`);
    const pageB = (await ann.get(`/tickets/${b}`)).body;
    expect(pageB).toContain(`#${a} Scanner at intake jams</a>`);
    const audit = (await auditRows(t.app, 'ticket-linked')).map((r) => [r.ticket_id, r.detail]);
    expect(audit).toEqual(
      expect.arrayContaining([
        [a, `related to #${b}`],
        [b, `related to #${a}`],
      ]),
    );
  });

  it('waiting on: the child says "Waiting on", the parent "Waited on by"', async () => {
    const parent = await createTicket(ann, { title: 'Billing module down' });
    const child = await createTicket(ann, { title: 'Cannot post payments' });
    expect((await link(ann, child, String(parent), 'waiting_on')).statusCode).toBe(303);
    expect((await ann.get(`/tickets/${child}`)).body).toMatch(
      /Waiting on\s*<a href="\/tickets\/\d+">#\d+ Billing module down/,
    );
    expect((await ann.get(`/tickets/${parent}`)).body).toMatch(
      /Waited on by\s*<a href="\/tickets\/\d+">#\d+ Cannot post payments/,
    );
  });

  it('refuses a ticket the person may not see exactly as a missing one, keeping what was typed', async () => {
    const mine = await createTicket(ann, { title: 'Mine' });
    const theirs = await createTicket(out, { title: 'Outsider secret title' });
    const refused = await link(ann, mine, String(theirs));
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`There is no ticket #${theirs} that you can see.`);
    expect(refused.body).not.toContain('Outsider secret title');
    expect(refused.body).toMatch(/id="link-other"[^>]*value="\d+"/);
    const missing = await link(ann, mine, '999999');
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('There is no ticket #999999 that you can see.');
    expect((await link(ann, mine, String(mine))).body).toContain('cannot be linked to itself');
    expect((await link(ann, mine, 'twelve')).body).toContain('Type one ticket number');
  });

  it('shows a linked ticket an outsider may not see as "a ticket you cannot see": no number, no title', async () => {
    // Ann links her ticket to one shared with Bo; Bo sees his, never Ann's other ticket.
    const shared = await createTicket(ann, { title: 'Shared with Bo', assignee: String(ids.bo) });
    const secret = await createTicket(ann, { title: 'Ann only SECRETWORD' });
    expect((await link(ann, shared, String(secret))).statusCode).toBe(303);
    const page = (await bo.get(`/tickets/${shared}`)).body;
    expect(page).toContain('a ticket you cannot see');
    expect(page).not.toContain('SECRETWORD');
    expect(page).not.toContain(`#${secret}`);
    expect(page).not.toContain(`/tickets/${secret}`);
    // And the ticket itself stays 404 to him.
    expect((await bo.get(`/tickets/${secret}`)).statusCode).toBe(404);
    // Nor can he link from a ticket he may not see.
    expect((await link(bo, secret, String(shared))).statusCode).toBe(404);
  });

  it('removes a link, on both timelines', async () => {
    const a = await createTicket(ann, { title: 'Left' });
    const b = await createTicket(ann, { title: 'Right' });
    await link(ann, a, String(b));
    const linkId = /\/links\/(\d+)\/remove/.exec((await ann.get(`/tickets/${a}`)).body)?.[1];
    expect((await ann.post(`/tickets/${b}/links/${linkId}/remove`, {})).statusCode).toBe(303);
    expect((await ann.get(`/tickets/${a}`)).body).toContain(`removed the link to #${b} Right.`);
    expect((await ann.get(`/tickets/${b}`)).body).toContain('None linked.');
    // Someone who cannot see the ticket gets 404, as for any route under it.
    expect((await out.post(`/tickets/${a}/links/${linkId}/remove`, {})).statusCode).toBe(404);
  });
});

describe('completing a parent', () => {
  it('offers to complete its waiting children and does so in the same Save, telling their people', async () => {
    const parent = await createTicket(champ, { title: 'Clearinghouse outage' });
    const one = await createTicket(ann, { title: 'Claims stuck one' });
    const two = await createTicket(bo, { title: 'Claims stuck two', description: MARKER });
    const done = await createTicket(ann, { title: 'Already done child' });
    await saveTicket(ann, done, { status: 'complete' });
    // The champion sees every ticket, so links them all.
    for (const child of [one, two, done]) {
      expect((await link(champ, child, String(parent), 'waiting_on')).statusCode).toBe(303);
    }
    await delivered();
    const page = (await champ.get(`/tickets/${parent}`)).body;
    expect(page).toContain('Tickets waiting on this one');
    expect(page).toContain('name="complete_children"');
    expect(page).toContain('Claims stuck one');
    expect(page).not.toContain('Already done child</a> (');
    const saved = await saveTicket(champ, parent, { status: 'complete', complete_children: 'yes' });
    expect(saved.statusCode).toBe(303);
    const today = (await statusOf(parent)).completed_date;
    expect(today).toBe('2026-11-27');
    for (const child of [one, two]) {
      expect(await statusOf(child)).toMatchObject({ status: 'complete', completed_date: today });
    }
    const mails = await delivered();
    const to = mails.map((m) => m.to.join()).sort();
    expect(to).toEqual(['ann@example.org', 'bo@example.org']);
    for (const m of mails) {
      expect(m.mail.subject).toMatch(/^\[hushdesk #\d+\] Claims stuck (one|two)$/);
      expect(m.mail.text).toContain('to Complete');
      expect(m.raw).not.toContain(MARKER);
    }
    expect((await ann.get(`/tickets/${one}`)).body).toContain(
      'changed Status from <q>New</q> to <q>Complete</q>',
    );
  });

  it('leaves the children alone when the box is not ticked, and when the ticket is not completed', async () => {
    const parent = await createTicket(champ, { title: 'Portal slow' });
    const child = await createTicket(ann, { title: 'Portal child' });
    await link(ann, child, String(parent), 'waiting_on');
    await saveTicket(champ, parent, { status: 'in_progress', complete_children: 'yes' });
    expect((await statusOf(child)).status).toBe('new');
    await saveTicket(champ, parent, { status: 'complete' });
    expect((await statusOf(child)).status).toBe('new');
  });

  it('does not complete children the person may not see', async () => {
    const parent = await createTicket(ann, { title: 'Ann parent' });
    // Bo's child waits on Ann's parent (made by a champion who sees both).
    const hidden = await createTicket(bo, { title: 'Bo hidden child' });
    await link(champ, hidden, String(parent), 'waiting_on');
    const page = (await ann.get(`/tickets/${parent}`)).body;
    expect(page).not.toContain('Bo hidden child');
    expect(page).not.toContain('name="complete_children"');
    await saveTicket(ann, parent, { status: 'complete', complete_children: 'yes' });
    expect((await statusOf(hidden)).status).toBe('new');
  });
});

/** Kept counts and report times against a count from scratch. */
async function expectCountsMatchRecount() {
  for (const id of Object.values(ids)) {
    const viewer = { id, seeAll: false, externalOnly: false };
    expect(await countMyTickets(t.app.db, viewer)).toEqual(
      await recountMyTickets(t.app.db, viewer),
    );
  }
  const kept = await t.app.db
    .selectFrom('ticket_report_times')
    .selectAll()
    .orderBy('ticket_id')
    .execute();
  await t.app.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('ticket_report_times').execute();
    await sqlRaw(trx, FILL_REPORT_TIMES);
    await sqlRaw(trx, fillReportMinutes(storeOf(trx)));
    const recounted = await trx
      .selectFrom('ticket_report_times')
      .selectAll()
      .orderBy('ticket_id')
      .execute();
    expect(recounted).toEqual(kept);
  });
}

async function sqlRaw(db: typeof t.app.db, text: string) {
  await sql.raw(text).execute(db);
}

describe('merging duplicates', () => {
  it('needs the permission: staff get 403 and no merge form', async () => {
    const a = await createTicket(ann, { title: 'Staff a' });
    const b = await createTicket(ann, { title: 'Staff b' });
    expect((await ann.get(`/tickets/${a}`)).body).not.toContain('Merge duplicates');
    expect((await ann.post(`/tickets/${a}/merge`, { duplicates: String(b) })).statusCode).toBe(403);
    expect((await statusOf(b)).status).toBe('new');
  });

  it('merges: Cancelled with "Merged into", people joined, notes shown from #M, links moved, creators told', async () => {
    const survivor = await createTicket(ann, { title: 'EHR login outage' });
    const dup1 = await createTicket(bo, { title: 'Cannot log in to EHR', description: MARKER });
    const dup2 = await createTicket(out, { title: 'EHR login fails', assignee: String(ids.bo) });
    const elsewhere = await createTicket(champ, { title: 'Vendor outage ticket' });
    await link(bo, dup1, String(dup2)); // between two duplicates: becomes a self-link, dropped
    await link(champ, dup1, String(elsewhere), 'waiting_on');
    await bo.post(`/tickets/${dup1}/notes`, { note: `Tried twice ${MARKER}` });
    await delivered();

    const merged = await champ.post(`/tickets/${survivor}/merge`, {
      duplicates: `#${dup1}, ${dup2}`,
    });
    expect(merged.statusCode).toBe(303);
    expect(merged.headers.location).toBe(`/tickets/${survivor}?merged=1`);
    for (const dup of [dup1, dup2]) {
      expect(await statusOf(dup)).toMatchObject({ status: 'cancelled', merged_into: survivor });
    }
    const associated = (
      await t.app.db
        .selectFrom('ticket_associated_staff')
        .select('staff_id')
        .where('ticket_id', '=', survivor)
        .execute()
    ).map((r) => r.staff_id);
    // The duplicates' creators join the survivor's associated staff; its own creator needs not.
    expect(associated).toEqual(expect.arrayContaining([ids.bo, ids.out]));
    expect(associated).not.toContain(ids.ann);

    const page = (await ann.get(`/tickets/${survivor}`)).body;
    expect(page).toContain(`added a note, from #${dup1}:`);
    expect(page).toContain(`Tried twice ${MARKER}`);
    // Ann may not see Bo's duplicate: its notes show here, its title does not.
    expect(page).toContain('merged a ticket you cannot see into this ticket.');
    expect(page).not.toContain('Cannot log in to EHR');
    expect((await champ.get(`/tickets/${survivor}`)).body).toContain(
      `merged #${dup1} Cannot log in to EHR into this ticket.`,
    );
    // The duplicate's link moved: the survivor now waits on the vendor ticket (Ann may not see it).
    expect(page).toMatch(/Waiting on\s*<em>a ticket you cannot see<\/em>/);
    const links = await t.app.db
      .selectFrom('ticket_links')
      .selectAll()
      .where((eb) =>
        eb.or([eb('ticket_id', 'in', [dup1, dup2]), eb('linked_id', 'in', [dup1, dup2])]),
      )
      .execute();
    expect(links).toEqual([]);

    // The notes were shown, not copied.
    const notes = await t.app.db
      .selectFrom('ticket_notes')
      .select('ticket_id')
      .where('ticket_id', '=', survivor)
      .execute();
    expect(notes).toEqual([]);

    const mails = await delivered();
    expect(mails.map((m) => m.to.join()).sort()).toEqual(['bo@example.org', 'out@example.org']);
    for (const m of mails) {
      expect(m.mail.text).toMatch(
        new RegExp(
          `merged ticket #(${dup1}|${dup2}) into ticket #${survivor}, where it carries on`,
        ),
      );
      expect(m.raw).not.toContain(MARKER);
      expect(m.raw).not.toContain('EHR login outage');
    }
    const audit = (await auditRows(t.app, 'ticket-merged')).map((r) => [r.ticket_id, r.detail]);
    expect(audit).toEqual(
      expect.arrayContaining([
        [dup1, `merged into #${survivor}`],
        [survivor, `#${dup1} merged into it`],
        [dup2, `merged into #${survivor}`],
      ]),
    );
    await expectCountsMatchRecount();
  });

  it('the merged ticket still opens to its creator and says where it went', async () => {
    const survivor = await createTicket(champ, { title: 'Phones down survivor' });
    const dup = await createTicket(bo, { title: 'Phones down too' });
    await champ.post(`/tickets/${survivor}/merge`, { duplicates: String(dup) });
    const page = await bo.get(`/tickets/${dup}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /This ticket was merged into\s*<a href="\/tickets\/\d+">#\d+ Phones down survivor<\/a> \(New\)/,
    );
    expect(page.body).toContain(`merged this ticket into #${survivor} Phones down survivor.`);
    expect(page.body).toContain('Cancelled');
    // Bo now follows the survivor.
    expect((await bo.get(`/tickets/${survivor}`)).statusCode).toBe(200);
  });

  it('refuses what cannot be merged, with the reason beside the field', async () => {
    const survivor = await createTicket(champ, { title: 'Survivor for refusals' });
    const hidden = await createTicket(ann, { title: 'Hidden from staff' });
    const done = await createTicket(champ, { title: 'Done dup' });
    await saveTicket(champ, done, { status: 'complete' });
    const cases: [Browser, string, string][] = [
      [champ, String(survivor), 'cannot be merged into itself'],
      [champ, '999999', 'There is no ticket #999999 that you can see.'],
      [champ, String(done), 'only open tickets can be merged'],
      [champ, 'abc', 'Type the numbers of the duplicate tickets'],
    ];
    for (const [browser, text, message] of cases) {
      const refused = await browser.post(`/tickets/${survivor}/merge`, { duplicates: text });
      expect(refused.statusCode, text).toBe(422);
      expect(refused.body, text).toContain(message);
      expect(refused.body).toMatch(/id="merge-duplicates"[^>]*value="[^"]+"/);
    }
    // Visibility of both: a role that may merge but not see all tickets.
    const roleId = (
      await t.app.db
        .insertInto('roles')
        .values({ key: null, name: 'Mergers', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.app.db
      .insertInto('role_permissions')
      .values({ role_id: roleId, permission: 'merge_tickets' })
      .execute();
    const merger = await addStaff(t.app, 'merger', { name: 'Mia Merger' });
    await t.app.db
      .updateTable('staff')
      .set({ role_id: roleId })
      .where('id', '=', merger.id)
      .execute();
    const mia = await signIn(t.app, 'merger');
    const hers = await createTicket(mia, { title: 'Mia survivor' });
    const refused = await mia.post(`/tickets/${hers}/merge`, { duplicates: String(hidden) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`There is no ticket #${hidden} that you can see.`);
    expect(refused.body).not.toContain('Hidden from staff');
    // And the survivor must be visible too: 404, as for any ticket she may not see.
    expect(
      (await mia.post(`/tickets/${hidden}/merge`, { duplicates: String(hers) })).statusCode,
    ).toBe(404);
    expect((await statusOf(hidden)).status).toBe('new');
  });

  it('refuses merging a ticket sent to the desk into one that was not, and says why', async () => {
    const now = t.app.now();
    await setSetting(t.app.db, 'escalation_desk_name', 'Vendor Support', null, now);
    await setSetting(t.app.db, 'escalation_desk_email', 'desk@vendor.example', null, now);
    const sent = await createTicket(champ, { title: 'Sent to vendor', send_to_desk: '1' });
    const local = await createTicket(champ, { title: 'Local duplicate' });
    expect(
      await t.app.db
        .selectFrom('ticket_escalations')
        .select('ticket_id')
        .where('ticket_id', '=', sent)
        .executeTakeFirst(),
    ).toBeTruthy();
    const refused = await champ.post(`/tickets/${local}/merge`, { duplicates: String(sent) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`#${sent} was sent to the support desk and this ticket was not`);
    expect((await statusOf(sent)).status).toBe('new');
    // The other way round is the right one.
    expect(
      (await champ.post(`/tickets/${sent}/merge`, { duplicates: String(local) })).statusCode,
    ).toBe(303);
    expect((await statusOf(local)).merged_into).toBe(sent);
    // Merging again is refused: it went already.
    const again = await champ.post(`/tickets/${sent}/merge`, { duplicates: String(local) });
    expect(again.body).toContain(`#${local} was already merged into #${sent}.`);
  });

  it('answers an htmx merge with the #ticket fragment and a confirmation', async () => {
    const survivor = await createTicket(champ, { title: 'Htmx survivor' });
    const dup = await createTicket(champ, { title: 'Htmx dup' });
    await champ.get(`/tickets/${survivor}`);
    const response = await champ.htmx('POST', `/tickets/${survivor}/merge`, {
      duplicates: String(dup),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.trimStart()).toMatch(/^<section id="ticket"/);
    expect(response.body).toContain(`Merged #${dup} into this ticket.`);
    await expectCountsMatchRecount();
  });
});

describe('External support', () => {
  it('reads a sent ticket’s links but is offered no link, unlink or completing form, and is refused them', async () => {
    const now = t.app.now();
    await setSetting(t.app.db, 'escalation_desk_name', 'Vendor Support', null, now);
    await setSetting(t.app.db, 'escalation_desk_email', 'desk@vendor.example', null, now);
    await addStaff(t.app, 'desk', { name: 'Desk Person', role: 'external' });
    const desk = await signIn(t.app, 'desk');
    const sent = await createTicket(champ, { title: 'Sent parent', send_to_desk: '1' });
    const child = await createTicket(champ, { title: 'Local child' });
    await link(champ, child, String(sent), 'waiting_on');
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
