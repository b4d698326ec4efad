import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FILL_REPORT_TIMES } from '../../../migrations/0080_reports.js';
import { fillReportMinutes } from '../../../migrations/0180_report_daily.js';
import { storeOf } from '../../../src/db/dialect/store.js';
import { setSetting } from '../../../src/repositories/settings.js';
import { countMyTickets, recountMyTickets } from '../../../src/repositories/ticket-scopes.js';
import { addStaff, type Browser, signIn } from '../../helpers/app.js';
import { auditRows, storedTicket } from '../../helpers/db.js';
import { link, MARKER, useRelatedWorld } from '../../helpers/related.js';
import { createTicket, saveTicket } from '../../helpers/tickets.js';

/** Merging duplicate tickets over HTTP, with mail to a real SMTP server. */
const w = useRelatedWorld();
const statusOf = (id: number) => storedTicket(w.t.app.db, id);

async function expectCountsMatchRecount() {
  for (const id of Object.values(w.ids)) {
    const viewer = { id, seeAll: false, externalOnly: false };
    expect(await countMyTickets(w.t.app.db, viewer)).toEqual(
      await recountMyTickets(w.t.app.db, viewer),
    );
  }
  const kept = await w.t.app.db
    .selectFrom('ticket_report_times')
    .selectAll()
    .orderBy('ticket_id')
    .execute();
  await w.t.app.db.transaction().execute(async (trx) => {
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

async function sqlRaw(db: typeof w.t.app.db, text: string) {
  await sql.raw(text).execute(db);
}

describe('merging duplicates', () => {
  it('needs the permission: staff get 403 and no merge form', async () => {
    const a = await createTicket(w.ann, { title: 'Staff a' });
    const b = await createTicket(w.ann, { title: 'Staff b' });
    expect((await w.ann.get(`/tickets/${a}`)).body).not.toContain('Merge duplicates');
    expect((await w.ann.post(`/tickets/${a}/merge`, { duplicates: String(b) })).statusCode).toBe(
      403,
    );
    expect((await statusOf(b)).status).toBe('new');
  });

  it('merges: Cancelled with "Merged into", people joined, notes shown from #M, links moved, creators told', async () => {
    const survivor = await createTicket(w.ann, { title: 'EHR login outage' });
    const dup1 = await createTicket(w.bo, { title: 'Cannot log in to EHR', description: MARKER });
    const dup2 = await createTicket(w.out, {
      title: 'EHR login fails',
      assignee: String(w.ids.bo),
    });
    const elsewhere = await createTicket(w.champ, { title: 'Vendor outage ticket' });
    await link(w.bo, dup1, String(dup2)); // between two duplicates: becomes a self-link, dropped
    await link(w.champ, dup1, String(elsewhere), 'waiting_on');
    await w.bo.post(`/tickets/${dup1}/notes`, { note: `Tried twice ${MARKER}` });
    await w.delivered();

    const merged = await w.champ.post(`/tickets/${survivor}/merge`, {
      duplicates: `#${dup1}, ${dup2}`,
    });
    expect(merged.statusCode).toBe(303);
    expect(merged.headers.location).toBe(`/tickets/${survivor}?merged=1`);
    for (const dup of [dup1, dup2]) {
      expect(await statusOf(dup)).toMatchObject({ status: 'cancelled', merged_into: survivor });
    }
    const associated = (
      await w.t.app.db
        .selectFrom('ticket_associated_staff')
        .select('staff_id')
        .where('ticket_id', '=', survivor)
        .execute()
    ).map((r) => r.staff_id);
    // The duplicates' creators join the survivor's associated staff; its own creator needs not.
    expect(associated).toEqual(expect.arrayContaining([w.ids.bo, w.ids.out]));
    expect(associated).not.toContain(w.ids.ann);

    const page = (await w.ann.get(`/tickets/${survivor}`)).body;
    expect(page).toContain(`added a note, from #${dup1}:`);
    expect(page).toContain(`Tried twice ${MARKER}`);
    // Ann may not see Bo's duplicate: its notes show here, its title does not.
    expect(page).toContain('merged a ticket you cannot see into this ticket.');
    expect(page).not.toContain('Cannot log in to EHR');
    expect((await w.champ.get(`/tickets/${survivor}`)).body).toContain(
      `merged #${dup1} Cannot log in to EHR into this ticket.`,
    );
    // The duplicate's link moved: the survivor now waits on the vendor ticket (Ann may not see it).
    expect(page).toMatch(/Waiting on\s*<em>a ticket you cannot see<\/em>/);
    const links = await w.t.app.db
      .selectFrom('ticket_links')
      .selectAll()
      .where((eb) =>
        eb.or([eb('ticket_id', 'in', [dup1, dup2]), eb('linked_id', 'in', [dup1, dup2])]),
      )
      .execute();
    expect(links).toEqual([]);

    // The notes were shown, not copied.
    const notes = await w.t.app.db
      .selectFrom('ticket_notes')
      .select('ticket_id')
      .where('ticket_id', '=', survivor)
      .execute();
    expect(notes).toEqual([]);

    const mails = await w.delivered();
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
    const audit = (await auditRows(w.t.app, 'ticket-merged')).map((r) => [r.ticket_id, r.detail]);
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
    const survivor = await createTicket(w.champ, { title: 'Phones down survivor' });
    const dup = await createTicket(w.bo, { title: 'Phones down too' });
    await w.champ.post(`/tickets/${survivor}/merge`, { duplicates: String(dup) });
    const page = await w.bo.get(`/tickets/${dup}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /This ticket was merged into\s*<a href="\/tickets\/\d+">#\d+ Phones down survivor<\/a> \(New\)/,
    );
    expect(page.body).toContain(`merged this ticket into #${survivor} Phones down survivor.`);
    expect(page.body).toContain('Cancelled');
    // Bo now follows the survivor.
    expect((await w.bo.get(`/tickets/${survivor}`)).statusCode).toBe(200);
  });

  it('refuses what cannot be merged, with the reason beside the field', async () => {
    const survivor = await createTicket(w.champ, { title: 'Survivor for refusals' });
    const hidden = await createTicket(w.ann, { title: 'Hidden from staff' });
    const done = await createTicket(w.champ, { title: 'Done dup' });
    await saveTicket(w.champ, done, { status: 'complete' });
    const cases: [Browser, string, string][] = [
      [w.champ, String(survivor), 'cannot be merged into itself'],
      [w.champ, '999999', 'There is no ticket #999999 that you can see.'],
      [w.champ, String(done), 'only open tickets can be merged'],
      [w.champ, 'abc', 'Type the numbers of the duplicate tickets'],
    ];
    for (const [browser, text, message] of cases) {
      const refused = await browser.post(`/tickets/${survivor}/merge`, { duplicates: text });
      expect(refused.statusCode, text).toBe(422);
      expect(refused.body, text).toContain(message);
      expect(refused.body).toMatch(/id="merge-duplicates"[^>]*value="[^"]+"/);
    }
    // Visibility of both: a role that may merge but not see all tickets.
    const roleId = (
      await w.t.app.db
        .insertInto('roles')
        .values({ key: null, name: 'Mergers', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await w.t.app.db
      .insertInto('role_permissions')
      .values({ role_id: roleId, permission: 'merge_tickets' })
      .execute();
    const merger = await addStaff(w.t.app, 'merger', { name: 'Mia Merger' });
    await w.t.app.db
      .updateTable('staff')
      .set({ role_id: roleId })
      .where('id', '=', merger.id)
      .execute();
    const mia = await signIn(w.t.app, 'merger');
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
    const now = w.t.app.now();
    await setSetting(w.t.app.db, 'escalation_desk_name', 'Vendor Support', null, now);
    await setSetting(w.t.app.db, 'escalation_desk_email', 'desk@vendor.example', null, now);
    const sent = await createTicket(w.champ, { title: 'Sent to vendor', send_to_desk: '1' });
    const local = await createTicket(w.champ, { title: 'Local duplicate' });
    expect(
      await w.t.app.db
        .selectFrom('ticket_escalations')
        .select('ticket_id')
        .where('ticket_id', '=', sent)
        .executeTakeFirst(),
    ).toBeTruthy();
    const refused = await w.champ.post(`/tickets/${local}/merge`, { duplicates: String(sent) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`#${sent} was sent to the support desk and this ticket was not`);
    expect((await statusOf(sent)).status).toBe('new');
    // The other way round is the right one.
    expect(
      (await w.champ.post(`/tickets/${sent}/merge`, { duplicates: String(local) })).statusCode,
    ).toBe(303);
    expect((await statusOf(local)).merged_into).toBe(sent);
    // Merging again is refused: it went already.
    const again = await w.champ.post(`/tickets/${sent}/merge`, { duplicates: String(local) });
    expect(again.body).toContain(`#${local} was already merged into #${sent}.`);
  });

  it('answers an htmx merge with the #ticket fragment and a confirmation', async () => {
    const survivor = await createTicket(w.champ, { title: 'Htmx survivor' });
    const dup = await createTicket(w.champ, { title: 'Htmx dup' });
    await w.champ.get(`/tickets/${survivor}`);
    const response = await w.champ.htmx('POST', `/tickets/${survivor}/merge`, {
      duplicates: String(dup),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.trimStart()).toMatch(/^<section id="ticket"/);
    expect(response.body).toContain(`Merged #${dup} into this ticket.`);
    await expectCountsMatchRecount();
  });
});
