import { describe, expect, it } from 'vitest';
import { addStaff, Browser, PASSWORD, signIn, useStaffPagesApp } from '../../helpers/app.js';
import { auditRows, lastAudit, roleId, staffId } from '../../helpers/db.js';
import { readable, staffNames } from '../../helpers/pages.js';

/** Deactivation, reactivation and the rule that someone active always manages staff. */
const w = useStaffPagesApp();

describe('the last administrator', () => {
  it('cannot be given another role', async () => {
    const id = await staffId(w.t.app, 'ann');
    const changesBefore = (await auditRows(w.t.app, 'staff-changed')).length;
    await w.admin.get(`/staff/${id}`);
    const response = await w.admin.post(`/staff/${id}`, {
      name: 'Ann Lee',
      username: 'ann',
      email: 'ann@example.org',
      department: 'Front office',
      roleId: String(await roleId(w.t.app, { key: 'staff' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="roleId-error">At least one active person must keep/);
    const row = await w.t.app.db
      .selectFrom('staff')
      .select('role_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.role_id).toBe(await roleId(w.t.app, { key: 'admin' }));
    // Nothing half-done was recorded.
    expect((await auditRows(w.t.app, 'staff-changed')).length).toBe(changesBefore);
  });

  it('cannot be deactivated, and keeps their session', async () => {
    const id = await staffId(w.t.app, 'ann');
    const confirm = await w.admin.get(`/staff/${id}/deactivate`);
    expect(confirm.statusCode).toBe(200);
    const response = await w.admin.post(`/staff/${id}/deactivate`);
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('At least one active person must keep');
    expect((await w.admin.get('/staff')).statusCode).toBe(200);
  });

  it('can go once another active person manages staff', async () => {
    await addStaff(w.t.app, 'eve', { name: 'Eve Fox', role: 'admin' });
    const eve = await signIn(w.t.app, 'eve');
    const annId = await staffId(w.t.app, 'ann');
    await eve.get(`/staff/${annId}/deactivate`);
    expect((await eve.post(`/staff/${annId}/deactivate`)).statusCode).toBe(303);
    // Eve is now the last one: she cannot deactivate herself.
    const eveId = await staffId(w.t.app, 'eve');
    await eve.get(`/staff/${eveId}/deactivate`);
    expect((await eve.post(`/staff/${eveId}/deactivate`)).statusCode).toBe(409);
    await eve.get(`/staff/${annId}/reactivate`);
    expect((await eve.post(`/staff/${annId}/reactivate`)).statusCode).toBe(303);
    w.admin = await signIn(w.t.app, 'ann');
  });
});

describe('deactivation', () => {
  it('ends the person’s sessions at once and blocks sign-in; reactivation lets them back', async () => {
    const bo = await signIn(w.t.app, 'bo');
    const other = await signIn(w.t.app, 'bo');
    expect((await bo.get('/')).statusCode).toBe(200);
    const id = await staffId(w.t.app, 'bo');

    const confirm = await w.admin.get(`/staff/${id}/deactivate`);
    expect(confirm.body).toContain('will be signed out at once');
    const done = await w.admin.post(`/staff/${id}/deactivate`);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/staff/${id}?done=deactivated`);

    const sessions = await w.t.app.db
      .selectFrom('sessions')
      .select('id')
      .where('staff_id', '=', id)
      .execute();
    expect(sessions).toEqual([]);
    for (const browser of [bo, other]) {
      const next = await browser.get('/');
      expect(next.statusCode).toBe(303);
      expect(next.headers.location).toMatch(/^\/sign-in/);
    }
    const again = new Browser(w.t.app);
    await again.get('/sign-in');
    expect((await again.post('/sign-in', { username: 'bo', password: PASSWORD })).statusCode).toBe(
      401,
    );
    const audit = await lastAudit(w.t.app, 'staff-deactivated');
    expect(audit).toMatchObject({
      actor: 'Ann Lee (ann)',
      detail: 'Bo Chen (bo) deactivated; their sessions were ended',
    });

    // Kept in the list of deactivated staff, never deleted.
    expect(staffNames((await w.admin.get('/staff')).body)).not.toContain('Bo Chen');
    expect(staffNames((await w.admin.get('/staff?status=inactive')).body)).toEqual(['Bo Chen']);
    expect(staffNames((await w.admin.get('/staff?status=all&q=bo')).body)).toEqual(['Bo Chen']);

    await w.admin.get(`/staff/${id}/reactivate`);
    expect((await w.admin.post(`/staff/${id}/reactivate`)).statusCode).toBe(303);
    expect((await lastAudit(w.t.app, 'staff-reactivated'))?.detail).toBe(
      'Bo Chen (bo) reactivated',
    );
    expect((await signIn(w.t.app, 'bo')).csrf).toBeTruthy();
  });

  it('lists the person’s open tickets for reassignment', async () => {
    const cyId = await staffId(w.t.app, 'cy');
    const annId = await staffId(w.t.app, 'ann');
    const priority = await w.t.app.db
      .selectFrom('priorities')
      .select('id')
      .where('key', '=', 'medium')
      .executeTakeFirstOrThrow();
    const at = w.t.app.now().toISOString();
    const ticket = (title: string, status: 'new' | 'waiting' | 'complete', assignee: number) => ({
      title,
      description: null,
      priority_id: priority.id,
      status,
      due_date: null,
      completed_date: null,
      assignee_id: assignee,
      created_by: annId,
      opened_from: null,
      created_at: at,
      updated_at: at,
    });
    const rows = await w.t.app.db
      .insertInto('tickets')
      .values([
        ticket('Printer jams', 'new', cyId),
        ticket('Scanner <offline>', 'waiting', cyId),
        ticket('Old one', 'complete', cyId),
        ticket('Someone else’s', 'new', annId),
      ])
      .returning('id')
      .execute();

    await w.admin.get(`/staff/${cyId}/deactivate`);
    const done = await w.admin.post(`/staff/${cyId}/deactivate`);
    const page = await w.admin.get(done.headers.location as string);
    expect(page.body).toContain('Deactivated. Their sessions have ended');
    expect(page.body).toContain(
      `<a href="/tickets/${rows[0]?.id}">#${rows[0]?.id} Printer jams</a>`,
    );
    expect(page.body).toContain(
      `<a href="/tickets/${rows[1]?.id}">#${rows[1]?.id} Scanner &lt;offline&gt;</a>`,
    );
    expect(page.body).not.toContain('Old one');
    expect(readable(page.body)).not.toContain('Someone else’s');
  });

  it('is a POST with the form token: a forged one changes nothing', async () => {
    const id = await staffId(w.t.app, 'bo');
    const forged = await w.admin.post(`/staff/${id}/deactivate`, { _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    const row = await w.t.app.db
      .selectFrom('staff')
      .select('active')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.active).toBe(1);
  });
});
