import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTestApp, created, makeToken, postTicket } from '../../helpers/api.js';
import type { Browser, TestApp } from '../../helpers/app.js';
import { lastAudit } from '../../helpers/db.js';

let t: TestApp;
let admin: Browser;
/** The billing export's token: every ticket below is opened by it unless a test says otherwise. */
let token: string;

beforeAll(async () => {
  ({ t, admin } = await createApiTestApp());
  token = await makeToken(admin, 'billing-sync');
});
afterAll(() => t.close());

function ticket(id: number) {
  return t.app.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('the title guard on POST /api/v1/tickets', () => {
  it('refuses a title that looks like PHI with 422 JSON saying what and where to put it', async () => {
    const before = await t.app.db.selectFrom('tickets').select('id').execute();
    const response = await postTicket(t.app, token, {
      title: 'Call back 555-123-4567',
      description: 'The client asked for a call.',
    });
    expect(response.statusCode).toBe(422);
    const { errors } = response.json() as { errors: Record<string, string> };
    expect(Object.keys(errors)).toEqual(['title']);
    expect(errors.title).toMatch(/^The title seems to contain a phone number\./);
    expect(errors.title).toContain('move it to the Description');
    expect(await t.app.db.selectFrom('tickets').select('id').execute()).toHaveLength(before.length);
    expect((await lastAudit(t.app, 'api-ticket-refused'))?.detail).toBe('invalid: title');
  });

  it('applies the agency’s own patterns from Settings → Security', async () => {
    await admin.get('/settings/security');
    const saved = await admin.post('/settings/security', {
      title_patterns: '\\bC-\\d{4,6}\\b',
      audit_retention_years: '6',
    });
    expect(saved.statusCode).toBe(303);
    const response = await postTicket(t.app, token, { title: 'Statement for C-20417 is late' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.title).toContain('your agency’s client or record number formats');
  });

  it('asks for "title_no_phi": true on a title with a bare date', async () => {
    const response = await postTicket(t.app, token, { title: 'Payer meeting 12/3' });
    expect(response.statusCode).toBe(422);
    const { errors } = response.json() as { errors: Record<string, string> };
    expect(errors.title).toBe(
      'The title contains a date (12/3). If it is not client information (a due date, a meeting), send "title_no_phi": true with the ticket; if it is, move it to the description.',
    );
    const wrongType = await postTicket(t.app, token, {
      title: 'Payer meeting 12/3',
      title_no_phi: 'yes',
    });
    expect(wrongType.statusCode).toBe(422);
    expect(wrongType.json().errors).toMatchObject({ title_no_phi: 'Send true or false.' });
    const no = await postTicket(t.app, token, { title: 'Payer meeting 12/3', title_no_phi: false });
    expect(no.statusCode).toBe(422);
    expect(no.json().errors.title).toContain('"title_no_phi": true');
  });

  it('creates it with "title_no_phi": true and audits the confirmation as the token', async () => {
    const id = created(
      await postTicket(t.app, token, { title: 'Payer meeting 12/3', title_no_phi: true }),
    );
    expect((await ticket(id)).title).toBe('Payer meeting 12/3');
    const rows = await t.app.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'title-confirmed')
      .where('ticket_id', '=', id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'token: billing-sync',
      detail: 'title held a date; confirmed as no client information',
    });
    expect(rows[0]?.token_id).not.toBeNull();
  });

  it('needs no confirmation, and records none, for an ordinary title', async () => {
    const id = created(
      await postTicket(t.app, token, { title: 'Claim batch rejected', title_no_phi: true }),
    );
    const rows = await t.app.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'title-confirmed')
      .where('ticket_id', '=', id)
      .execute();
    expect(rows).toHaveLength(0);
  });
});
