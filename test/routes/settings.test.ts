import { describe, expect, it } from 'vitest';
import { getBillingCoordinatorId, getTimeZone } from '../../src/repositories/settings.js';
import { addStaff, signIn } from '../helpers/app.js';
import { countAudit, lastAudit } from '../helpers/db.js';
import { readable } from '../helpers/pages.js';
import { useSettingsApp } from '../helpers/settings.js';

const w = useSettingsApp();

describe('the Settings page', () => {
  it('shows every section with the settings hushdesk started with', async () => {
    const page = await w.open();
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
    await addStaff(w.t.app, 'sam', { name: 'Sam Staff' });
    const sam = await signIn(w.t.app, 'sam');
    expect((await sam.get('/settings')).statusCode).toBe(403);
    await sam.get('/');
    expect((await sam.post('/settings/agency', { agency_name: 'Mine' })).statusCode).toBe(403);
    expect((await sam.get('/')).body).not.toContain('href="/settings"');
  });
});

describe('agency name and time zone', () => {
  it('keeps what was typed and says what is wrong beside each field', async () => {
    await w.open();
    const response = await w.admin.post('/settings/agency', {
      agency_name: '',
      time_zone: 'Mars/Olympus_Mons',
    });
    expect(response.statusCode).toBe(422);
    expect(readable(response.body)).toMatch(/id="agency_name-error">Enter the agency’s name/);
    expect(response.body).toMatch(/id="time_zone-error">Enter a time zone from the list/);
    expect(response.body).toMatch(/id="time_zone"[^>]*value="Mars\/Olympus_Mons"/);
    expect(response.body).toMatch(/aria-invalid=true/);
    expect(await lastAudit(w.t.app, 'settings-changed')).toBeUndefined();
  });

  it('saves, audits, and shows the new name in every page’s header without a restart', async () => {
    await w.open();
    const response = await w.admin.post('/settings/agency', {
      agency_name: 'Sunrise <Health>',
      time_zone: '',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings?saved=agency#agency');

    const page = await w.admin.get(String(response.headers.location));
    expect(page.body).toContain('Saved.');
    expect(page.body).toMatch(/Last changed by Ann Lee on Nov 27, 2026/);
    // Escaped like any other text.
    expect(page.body).toContain('<a class="brand" href="/">Sunrise &lt;Health&gt;</a>');
    expect((await w.admin.get('/')).body).toContain('<title>My tickets · Sunrise &lt;Health&gt;');

    const row = await w.t.app.db
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'agency_name')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.value)).toBe('Sunrise <Health>');
    expect(row.updated_by).toBe(w.annId);
    expect(row.updated_at).toBe(w.t.clock.now().toISOString());
    const audit = await lastAudit(w.t.app, 'settings-changed');
    expect(audit?.staff_id).toBe(w.annId);
    expect(audit?.detail).toBe('Agency name “hushdesk” → “Sunrise <Health>”');
  });

  it('says so when nothing changed, and writes no audit row', async () => {
    const before = await countAudit(w.t.app);
    await w.open();
    const response = await w.admin.post('/settings/agency', {
      agency_name: 'Sunrise <Health>',
      time_zone: '',
    });
    expect(response.headers.location).toBe('/settings?saved=agency&unchanged=1#agency');
    expect((await w.admin.get(String(response.headers.location))).body).toContain(
      'Nothing to save',
    );
    expect(await countAudit(w.t.app)).toBe(before);
  });

  it('moves “today” to the new time zone for due dates and times shown', async () => {
    // 15:00 UTC on Nov 27 is 09:00 in Chicago (TZ) and already Nov 28 in Tokyo.
    const before = await w.admin.get('/tickets/new');
    expect(before.body).toContain('min=2026-11-27');

    await w.open();
    const saved = await w.admin.post('/settings/agency', {
      agency_name: 'Sunrise <Health>',
      time_zone: 'asia/tokyo',
    });
    expect(saved.statusCode).toBe(303);
    expect(await getTimeZone(w.t.app.db)).toBe('Asia/Tokyo');
    expect((await lastAudit(w.t.app, 'settings-changed'))?.detail).toBe(
      'Time zone the server’s (TZ) → “Asia/Tokyo”',
    );

    const after = await w.admin.get('/tickets/new');
    expect(after.body).toContain('min=2026-11-28');
    const refused = await w.admin.post('/tickets', {
      title: 'Due yesterday in Tokyo',
      due_date: '2026-11-27',
      priority: 'none',
      description: '',
      assignee: 'self',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('The date due cannot be before today.');
    // Times on pages follow too: the save itself was at 00:00 on Nov 28 in Tokyo.
    expect((await w.open()).body).toMatch(/Last changed by Ann Lee on Nov 28, 2026, 12:00 AM/);

    // Empty goes back to the server's zone.
    await w.admin.post('/settings/agency', { agency_name: 'Sunrise <Health>', time_zone: '' });
    expect((await w.admin.get('/tickets/new')).body).toContain('min=2026-11-27');
  });
});

describe('billing coordinator', () => {
  it('lists active staff, narrows them with the search box, and refuses anyone else', async () => {
    const bea = await addStaff(w.t.app, 'bea', { name: 'Bea Biller', department: 'Billing' });
    const gone = await addStaff(w.t.app, 'gil', { name: 'Gil Gone' });
    await w.t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', gone.id).execute();

    const all = await w.open();
    expect(all.body).toContain(`<option value="${bea.id}" >Bea Biller (bea, Staff, Billing)`);
    expect(all.body).not.toContain('Gil Gone');
    const narrowed = await w.admin.get('/settings?staff_q=bil');
    expect(narrowed.body).toContain('Bea Biller (bea');
    expect(narrowed.body).not.toMatch(/<option value="\d+"[^>]*>Ann Lee/);
    expect(readable((await w.admin.get('/settings?staff_q=zzz')).body)).toContain(
      'No active staff match “zzz”.',
    );

    const refused = await w.admin.post('/settings/billing-coordinator', {
      billing_coordinator_id: String(gone.id),
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/id="billing_coordinator_id-error">Choose someone on the list/);
    expect(await getBillingCoordinatorId(w.t.app.db)).toBeNull();
  });

  it('saves the choice with who and when, and audits it by name', async () => {
    const bea = await w.t.app.db
      .selectFrom('staff')
      .select('id')
      .where('username', '=', 'bea')
      .executeTakeFirstOrThrow();
    await w.open();
    const response = await w.admin.post('/settings/billing-coordinator', {
      billing_coordinator_id: String(bea.id),
    });
    expect(response.headers.location).toBe('/settings?saved=coordinator#coordinator');
    expect(await getBillingCoordinatorId(w.t.app.db)).toBe(bea.id);
    expect((await lastAudit(w.t.app, 'settings-changed'))?.detail).toBe(
      'Billing coordinator nobody → Bea Biller (bea)',
    );
    const page = await w.admin.get(String(response.headers.location));
    expect(page.body).toContain(`<option value="${bea.id}" selected>Bea Biller`);

    // Nobody again: [auto-assignment] then leaves tickets unassigned.
    await w.admin.post('/settings/billing-coordinator', { billing_coordinator_id: '' });
    expect(await getBillingCoordinatorId(w.t.app.db)).toBeNull();
  });
});
