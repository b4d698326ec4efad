import { describe, expect, it } from 'vitest';
import { getEscalationDesk } from '../../../src/repositories/settings.js';
import { addStaff } from '../../helpers/app.js';
import { lastAudit } from '../../helpers/db.js';
import { readable } from '../../helpers/pages.js';
import { useSettingsApp } from '../../helpers/settings.js';
import { insertTicket } from '../../helpers/tickets.js';

/** Settings: priority response targets, the escalation desk and the morning reminders. */
const w = useSettingsApp();

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
    const page = await w.open();
    expect(page.body).toMatch(/id="amount_future"[^>]*value="30"/);
    expect(page.body).toMatch(
      /id="unit_future"[\s\S]*?<option value="days" selected>days<\/option>/,
    );
    expect(page.body).toMatch(/id="amount_high"[^>]*value="2"/);
    expect(page.body).toMatch(/id="amount_crisis"[^>]*value="90"/);
    expect(page.body).not.toContain('id="amount_none"');
  });

  it('refuses amounts that are not whole numbers, empty labels and a list that contradicts itself', async () => {
    await w.open();
    const response = await w.admin.post('/settings/priorities', {
      ...targets,
      amount_low: 'soon',
      amount_high: '2',
      unit_high: 'weeks',
      label_crisis: '',
    });
    expect(response.statusCode).toBe(422);
    expect(readable(response.body)).toMatch(
      /id="amount_low-error">Enter Low’s target as a whole number/,
    );
    expect(response.body).toMatch(
      /id="amount_high-error">High is more urgent than Medium, so its target cannot be longer than 1 week/,
    );
    expect(response.body).toMatch(/id="label_crisis-error">Enter what staff see beside Crisis/);
    expect(response.body).toMatch(/id="amount_low"[^>]*value="soon"/);
    const high = await w.t.app.db
      .selectFrom('priorities')
      .selectAll()
      .where('key', '=', 'high')
      .executeTakeFirstOrThrow();
    expect(high.response_minutes).toBe(48 * 60);
  });

  it('saves a change with who and when, and the ticket window shows the new label', async () => {
    await w.open();
    const response = await w.admin.post('/settings/priorities', {
      ...targets,
      amount_high: '1',
      unit_high: 'days',
      label_high: 'Next working day',
    });
    expect(response.statusCode).toBe(303);
    const high = await w.t.app.db
      .selectFrom('priorities')
      .selectAll()
      .where('key', '=', 'high')
      .executeTakeFirstOrThrow();
    expect(high).toMatchObject({
      response_minutes: 24 * 60,
      target_label: 'Next working day',
      updated_by: w.annId,
    });
    expect((await lastAudit(w.t.app, 'priority-targets-changed'))?.detail).toBe(
      'High: 2 days → 1 day, label “48 hours” → “Next working day”',
    );
    const page = await w.admin.get(String(response.headers.location));
    expect(page.body).toMatch(/id="targets"[\s\S]*?Saved\.[\s\S]*?Last changed by Ann Lee/);

    const window = await w.admin.get('/tickets/new');
    expect(window.body).toContain('<option value="high" >High (Next working day)</option>');
  });
});

describe('escalation desk', () => {
  it('needs both the name and the address, or neither', async () => {
    await w.open();
    const response = await w.admin.post('/settings/escalation-desk', {
      escalation_desk_name: 'Procentive Support',
      escalation_desk_email: 'not an address',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="escalation_desk_email-error">Enter an email address/);
    expect(response.body).toMatch(/id="escalation_desk_name"[^>]*value="Procentive Support"/);
    expect(await getEscalationDesk(w.t.app.db)).toBeNull();

    const noName = await w.admin.post('/settings/escalation-desk', {
      escalation_desk_name: '',
      escalation_desk_email: 'support@vendor.example',
    });
    expect(readable(noName.body)).toMatch(/id="escalation_desk_name-error">Enter the desk’s name/);
  });

  it('saves both for the escalation feature to read, and clears them', async () => {
    await w.open();
    const response = await w.admin.post('/settings/escalation-desk', {
      escalation_desk_name: 'Procentive Support',
      escalation_desk_email: 'support@vendor.example',
    });
    expect(response.statusCode).toBe(303);
    expect(await getEscalationDesk(w.t.app.db)).toEqual({
      name: 'Procentive Support',
      email: 'support@vendor.example',
    });
    expect((await lastAudit(w.t.app, 'settings-changed'))?.detail).toBe(
      'Escalation desk name none → “Procentive Support”; Escalation desk email none → “support@vendor.example”',
    );
    const page = await w.admin.get(String(response.headers.location));
    expect(page.body).toMatch(/id="desk"[\s\S]*?Saved\.[\s\S]*?Last changed by Ann Lee/);

    await w.admin.post('/settings/escalation-desk', {
      escalation_desk_name: '',
      escalation_desk_email: '',
    });
    expect(await getEscalationDesk(w.t.app.db)).toBeNull();
  });
});

describe('the morning reminders', () => {
  it('follow the time zone saved in Settings', async () => {
    const bea = await addStaff(w.t.app, 'bea', { name: 'Bea Biller', department: 'Billing' });
    const id = await insertTicket(
      w.t.app.db,
      { title: 'Due on the 28th', createdBy: w.annId, assigneeId: bea.id, dueDate: '2026-11-28' },
      w.t.app.now(),
    );
    await w.open();
    await w.admin.post('/settings/agency', { agency_name: 'Sunrise', time_zone: 'Asia/Tokyo' });
    // 22:00 UTC: 07:00 on the 28th in Tokyo, still the afternoon of the 27th in Chicago (TZ).
    w.t.clock.advanceMinutes(7 * 60);
    await w.t.app.outbox.runOnce();
    const queued = await w.t.app.db
      .selectFrom('outbox')
      .select(['kind', 'ticket_id'])
      .where('ticket_id', '=', id)
      .execute();
    expect(queued).toEqual([{ kind: 'due_today', ticket_id: id }]);
  });
});
