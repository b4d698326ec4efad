import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getBillingCoordinatorId,
  getEscalationDesk,
  getTimeZone,
} from '../../src/repositories/settings.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { countAudit, lastAudit } from '../helpers/db.js';
import { insertTicket } from '../helpers/tickets.js';

let t: TestApp;
let admin: Browser;
let annId: number;

beforeAll(async () => {
  t = await createTestApp();
  annId = (await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin' })).id;
  admin = await signIn(t.app, 'ann');
});
afterAll(() => t.close());

async function open() {
  const page = await admin.get('/settings');
  expect(page.statusCode).toBe(200);
  return page;
}

describe('the Settings page', () => {
  it('shows every section with the settings hushdesk started with', async () => {
    const page = await open();
    for (const heading of [
      'Agency',
      'Billing coordinator',
      'Priority response targets',
      'Escalation desk',
    ]) {
      expect(page.body).toContain(`<h2>${heading}</h2>`);
    }
    expect(page.body).toMatch(/id="agency_name"[^>]*value="hushdesk"/);
    expect(page.body).toContain('Never changed');
    expect(page.body).toContain('href="/settings/api-tokens"');
    expect(page.body).toContain('href="/settings/security"');
    expect(page.body).toMatch(/<a href="\/settings" aria-current=page>Settings<\/a>/);
  });

  it('is for administrators only', async () => {
    await addStaff(t.app, 'sam', { name: 'Sam Staff' });
    const sam = await signIn(t.app, 'sam');
    expect((await sam.get('/settings')).statusCode).toBe(403);
    await sam.get('/');
    expect((await sam.post('/settings/agency', { agency_name: 'Mine' })).statusCode).toBe(403);
    expect((await sam.get('/')).body).not.toContain('href="/settings"');
  });
});

describe('agency name and time zone', () => {
  it('keeps what was typed and says what is wrong beside each field', async () => {
    await open();
    const response = await admin.post('/settings/agency', {
      agency_name: '',
      time_zone: 'Mars/Olympus_Mons',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="agency_name-error">Enter the agency’s name/);
    expect(response.body).toMatch(/id="time_zone-error">Enter a time zone from the list/);
    expect(response.body).toMatch(/id="time_zone"[^>]*value="Mars\/Olympus_Mons"/);
    expect(response.body).toMatch(/aria-invalid=true/);
    expect(await lastAudit(t.app, 'settings-changed')).toBeUndefined();
  });

  it('saves, audits, and shows the new name in every page’s header without a restart', async () => {
    await open();
    const response = await admin.post('/settings/agency', {
      agency_name: 'Sunrise <Health>',
      time_zone: '',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings?saved=agency#agency');

    const page = await admin.get(String(response.headers.location));
    expect(page.body).toContain('Saved.');
    expect(page.body).toMatch(/Last changed by Ann Lee on Nov 27, 2026/);
    // Escaped like any other text.
    expect(page.body).toContain('<a class="brand" href="/">Sunrise &lt;Health&gt;</a>');
    expect((await admin.get('/')).body).toContain('<title>My tickets · Sunrise &lt;Health&gt;');

    const row = await t.app.db
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'agency_name')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.value)).toBe('Sunrise <Health>');
    expect(row.updated_by).toBe(annId);
    expect(row.updated_at).toBe(t.clock.now().toISOString());
    const audit = await lastAudit(t.app, 'settings-changed');
    expect(audit?.staff_id).toBe(annId);
    expect(audit?.detail).toBe('Agency name “hushdesk” → “Sunrise <Health>”');
  });

  it('says so when nothing changed, and writes no audit row', async () => {
    const before = await countAudit(t.app);
    await open();
    const response = await admin.post('/settings/agency', {
      agency_name: 'Sunrise <Health>',
      time_zone: '',
    });
    expect(response.headers.location).toBe('/settings?saved=agency&unchanged=1#agency');
    expect((await admin.get(String(response.headers.location))).body).toContain('Nothing to save');
    expect(await countAudit(t.app)).toBe(before);
  });

  it('moves “today” to the new time zone for due dates and times shown', async () => {
    // 15:00 UTC on Nov 27 is 09:00 in Chicago (TZ) and already Nov 28 in Tokyo.
    const before = await admin.get('/tickets/new');
    expect(before.body).toContain('min=2026-11-27');

    await open();
    const saved = await admin.post('/settings/agency', {
      agency_name: 'Sunrise <Health>',
      time_zone: 'asia/tokyo',
    });
    expect(saved.statusCode).toBe(303);
    expect(await getTimeZone(t.app.db)).toBe('Asia/Tokyo');
    expect((await lastAudit(t.app, 'settings-changed'))?.detail).toBe(
      'Time zone the server’s (TZ) → “Asia/Tokyo”',
    );

    const after = await admin.get('/tickets/new');
    expect(after.body).toContain('min=2026-11-28');
    const refused = await admin.post('/tickets', {
      title: 'Due yesterday in Tokyo',
      due_date: '2026-11-27',
      priority: 'none',
      description: '',
      assignee: 'self',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('The date due cannot be before today.');
    // Times on pages follow too: the save itself was at 00:00 on Nov 28 in Tokyo.
    expect((await open()).body).toMatch(/Last changed by Ann Lee on Nov 28, 2026, 12:00 AM/);

    // Empty goes back to the server's zone.
    await admin.post('/settings/agency', { agency_name: 'Sunrise <Health>', time_zone: '' });
    expect((await admin.get('/tickets/new')).body).toContain('min=2026-11-27');
  });
});

describe('billing coordinator', () => {
  it('lists active staff, narrows them with the search box, and refuses anyone else', async () => {
    const bea = await addStaff(t.app, 'bea', { name: 'Bea Biller', department: 'Billing' });
    const gone = await addStaff(t.app, 'gil', { name: 'Gil Gone' });
    await t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', gone.id).execute();

    const all = await open();
    expect(all.body).toContain(`<option value="${bea.id}" >Bea Biller (bea, Staff, Billing)`);
    expect(all.body).not.toContain('Gil Gone');
    const narrowed = await admin.get('/settings?staff_q=bil');
    expect(narrowed.body).toContain('Bea Biller (bea');
    expect(narrowed.body).not.toMatch(/<option value="\d+"[^>]*>Ann Lee/);
    expect((await admin.get('/settings?staff_q=zzz')).body).toContain(
      'No active staff match “zzz”.',
    );

    const refused = await admin.post('/settings/billing-coordinator', {
      billing_coordinator_id: String(gone.id),
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/id="billing_coordinator_id-error">Choose someone on the list/);
    expect(await getBillingCoordinatorId(t.app.db)).toBeNull();
  });

  it('saves the choice with who and when, and audits it by name', async () => {
    const bea = await t.app.db
      .selectFrom('staff')
      .select('id')
      .where('username', '=', 'bea')
      .executeTakeFirstOrThrow();
    await open();
    const response = await admin.post('/settings/billing-coordinator', {
      billing_coordinator_id: String(bea.id),
    });
    expect(response.headers.location).toBe('/settings?saved=coordinator#coordinator');
    expect(await getBillingCoordinatorId(t.app.db)).toBe(bea.id);
    expect((await lastAudit(t.app, 'settings-changed'))?.detail).toBe(
      'Billing coordinator nobody → Bea Biller (bea)',
    );
    const page = await admin.get(String(response.headers.location));
    expect(page.body).toContain(`<option value="${bea.id}" selected>Bea Biller`);

    // Nobody again: [auto-assignment] then leaves tickets unassigned.
    await admin.post('/settings/billing-coordinator', { billing_coordinator_id: '' });
    expect(await getBillingCoordinatorId(t.app.db)).toBeNull();
  });
});

describe('priority response targets', () => {
  const targets = {
    amount_future: '30',
    unit_future: 'days',
    label_future: '30 days',
    amount_low: '2',
    unit_low: 'weeks',
    label_low: '2 weeks',
    amount_medium: '1',
    unit_medium: 'weeks',
    label_medium: '1 week',
    amount_high: '48',
    unit_high: 'hours',
    label_high: '48 hours',
    amount_crisis: '90',
    unit_crisis: 'minutes',
    label_crisis: '60 to 90 minutes',
    label_none: 'Answered after every ticket with a priority',
  };

  it('shows the stored targets in the largest unit that fits', async () => {
    const page = await open();
    expect(page.body).toMatch(/id="amount_future"[^>]*value="30"/);
    expect(page.body).toMatch(
      /id="unit_future"[\s\S]*?<option value="days" selected>days<\/option>/,
    );
    expect(page.body).toMatch(/id="amount_high"[^>]*value="2"/);
    expect(page.body).toMatch(/id="amount_crisis"[^>]*value="90"/);
    expect(page.body).not.toContain('id="amount_none"');
  });

  it('refuses amounts that are not whole numbers, empty labels and a list that contradicts itself', async () => {
    await open();
    const response = await admin.post('/settings/priorities', {
      ...targets,
      amount_low: 'soon',
      amount_high: '2',
      unit_high: 'weeks',
      label_crisis: '',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="amount_low-error">Enter Low’s target as a whole number/);
    expect(response.body).toMatch(
      /id="amount_high-error">High is more urgent than Medium, so its target cannot be longer than 1 week/,
    );
    expect(response.body).toMatch(/id="label_crisis-error">Enter what staff see beside Crisis/);
    expect(response.body).toMatch(/id="amount_low"[^>]*value="soon"/);
    const high = await t.app.db
      .selectFrom('priorities')
      .selectAll()
      .where('key', '=', 'high')
      .executeTakeFirstOrThrow();
    expect(high.response_minutes).toBe(48 * 60);
  });

  it('saves a change with who and when, and the ticket window shows the new label', async () => {
    await open();
    const response = await admin.post('/settings/priorities', {
      ...targets,
      amount_high: '1',
      unit_high: 'days',
      label_high: 'Next working day',
    });
    expect(response.statusCode).toBe(303);
    const high = await t.app.db
      .selectFrom('priorities')
      .selectAll()
      .where('key', '=', 'high')
      .executeTakeFirstOrThrow();
    expect(high).toMatchObject({
      response_minutes: 24 * 60,
      target_label: 'Next working day',
      updated_by: annId,
    });
    expect((await lastAudit(t.app, 'priority-targets-changed'))?.detail).toBe(
      'High: 2 days → 1 day, label “48 hours” → “Next working day”',
    );
    const page = await admin.get(String(response.headers.location));
    expect(page.body).toMatch(/id="targets"[\s\S]*?Saved\.[\s\S]*?Last changed by Ann Lee/);

    const window = await admin.get('/tickets/new');
    expect(window.body).toContain('<option value="high" >High (Next working day)</option>');
  });
});

describe('escalation desk', () => {
  it('needs both the name and the address, or neither', async () => {
    await open();
    const response = await admin.post('/settings/escalation-desk', {
      escalation_desk_name: 'Procentive Support',
      escalation_desk_email: 'not an address',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="escalation_desk_email-error">Enter an email address/);
    expect(response.body).toMatch(/id="escalation_desk_name"[^>]*value="Procentive Support"/);
    expect(await getEscalationDesk(t.app.db)).toBeNull();

    const noName = await admin.post('/settings/escalation-desk', {
      escalation_desk_name: '',
      escalation_desk_email: 'support@vendor.example',
    });
    expect(noName.body).toMatch(/id="escalation_desk_name-error">Enter the desk’s name/);
  });

  it('saves both for the escalation feature to read, and clears them', async () => {
    await open();
    const response = await admin.post('/settings/escalation-desk', {
      escalation_desk_name: 'Procentive Support',
      escalation_desk_email: 'support@vendor.example',
    });
    expect(response.statusCode).toBe(303);
    expect(await getEscalationDesk(t.app.db)).toEqual({
      name: 'Procentive Support',
      email: 'support@vendor.example',
    });
    expect((await lastAudit(t.app, 'settings-changed'))?.detail).toBe(
      'Escalation desk name none → “Procentive Support”; Escalation desk email none → “support@vendor.example”',
    );
    const page = await admin.get(String(response.headers.location));
    expect(page.body).toMatch(/id="desk"[\s\S]*?Saved\.[\s\S]*?Last changed by Ann Lee/);

    await admin.post('/settings/escalation-desk', {
      escalation_desk_name: '',
      escalation_desk_email: '',
    });
    expect(await getEscalationDesk(t.app.db)).toBeNull();
  });
});

describe('the morning reminders', () => {
  it('follow the time zone saved in Settings', async () => {
    const bea = await t.app.db
      .selectFrom('staff')
      .select('id')
      .where('username', '=', 'bea')
      .executeTakeFirstOrThrow();
    const id = await insertTicket(
      t.app.db,
      { title: 'Due on the 28th', createdBy: annId, assigneeId: bea.id, dueDate: '2026-11-28' },
      t.app.now(),
    );
    await open();
    await admin.post('/settings/agency', { agency_name: 'Sunrise', time_zone: 'Asia/Tokyo' });
    // 22:00 UTC: 07:00 on the 28th in Tokyo, still the afternoon of the 27th in Chicago (TZ).
    t.clock.advanceMinutes(7 * 60);
    await t.app.outbox.runOnce();
    const queued = await t.app.db
      .selectFrom('outbox')
      .select(['kind', 'ticket_id'])
      .where('ticket_id', '=', id)
      .execute();
    expect(queued).toEqual([{ kind: 'due_today', ticket_id: id }]);
  });
});
