import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addStaff,
  Browser,
  createTestApp,
  PASSWORD,
  signIn,
  type TestApp,
} from '../helpers/app.js';
import { lastAudit, roleId, staffId } from '../helpers/db.js';

let t: TestApp;
let admin: Browser;

beforeAll(async () => {
  t = await createTestApp();
  await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin', department: 'Front office' });
  await addStaff(t.app, 'bo', { name: 'Bo Chen', department: 'Billing' });
  await addStaff(t.app, 'cy', { name: 'Cy Diaz', role: 'champion', department: 'Clinical' });
  admin = await signIn(t.app, 'ann');
});
afterAll(() => t.close());

const names = (body: string) =>
  [...body.matchAll(/<a href="\/staff\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);

describe('the staff list', () => {
  it('lists active staff by name and searches name, username and department', async () => {
    expect(names((await admin.get('/staff')).body)).toEqual(['Ann Lee', 'Bo Chen', 'Cy Diaz']);
    expect(names((await admin.get('/staff?q=chen')).body)).toEqual(['Bo Chen']);
    expect(names((await admin.get('/staff?q=CY')).body)).toEqual(['Cy Diaz']);
    expect(names((await admin.get('/staff?q=bill')).body)).toEqual(['Bo Chen']);
    // Wildcards typed in are plain characters.
    expect(names((await admin.get('/staff?q=%25')).body)).toEqual([]);
    const none = await admin.get('/staff?q=%3Cb%3Ezed');
    expect(none.body).toContain('Nobody matches “&lt;b&gt;zed”');
  });

  it('answers an htmx search with the results only', async () => {
    const swap = await admin.htmx('GET', '/staff?q=bo');
    expect(swap.statusCode).toBe(200);
    expect(swap.body).not.toContain('<html');
    expect(swap.body).not.toContain('id="staff-results"');
    expect(names(swap.body)).toEqual(['Bo Chen']);
  });
});

describe('adding staff', () => {
  it('offers the Staff role first, even after it is renamed', async () => {
    const staffRole = await roleId(t.app, { key: 'staff' });
    await t.app.db
      .updateTable('roles')
      .set({ name: 'Team member' })
      .where('id', '=', staffRole)
      .execute();
    const page = await admin.get('/staff/new');
    expect(page.body).toMatch(new RegExp(`<option value="${staffRole}" selected>Team member`));
    await t.app.db
      .updateTable('roles')
      .set({ name: 'Staff' })
      .where('id', '=', staffRole)
      .execute();
  });

  it('keeps what was typed and puts each message beside its field', async () => {
    await admin.get('/staff/new');
    const response = await admin.post('/staff', {
      name: 'Di Evans',
      username: 'd',
      email: 'not-an-email',
      department: 'Intake',
      roleId: String(await roleId(t.app, { key: 'champion' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('value="Di Evans"');
    expect(response.body).toContain('value="not-an-email"');
    expect(response.body).toContain('value="Intake"');
    expect(response.body).toMatch(/id="username-error">Use 2 to 40 letters/);
    expect(response.body).toMatch(/id="email-error">Enter an email address such as/);
    expect(response.body).toMatch(
      new RegExp(`<option value="${await roleId(t.app, { key: 'champion' })}" selected>Champion`),
    );
  });

  it('says a username is taken beside the field, whatever its case', async () => {
    await admin.get('/staff/new');
    const response = await admin.post('/staff', {
      name: 'Bob Other',
      username: 'BO',
      email: 'bob@example.org',
      department: '',
      roleId: String(await roleId(t.app, { key: 'staff' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="username-error">That username is taken/);
    expect(response.body).toContain('value="Bob Other"');
  });

  it('refuses a role that does not exist', async () => {
    await admin.get('/staff/new');
    const response = await admin.post('/staff', {
      name: 'Di Evans',
      username: 'di',
      email: 'di@example.org',
      department: '',
      roleId: '999',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="roleId-error">Choose a role/);
  });

  it('adds the person without a password, and audits it', async () => {
    await admin.get('/staff/new');
    const response = await admin.post('/staff', {
      name: 'Di Evans',
      username: 'di',
      email: 'di@example.org',
      department: 'Intake',
      roleId: String(await roleId(t.app, { key: 'champion' })),
    });
    expect(response.statusCode).toBe(303);
    const id = await staffId(t.app, 'di');
    expect(response.headers.location).toBe(`/staff/${id}?done=added`);
    const page = await admin.get(response.headers.location as string);
    expect(page.body).toContain('They have no password yet');
    const row = await t.app.db
      .selectFrom('staff')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ password_hash: null, active: 1, department: 'Intake' });
    expect((await lastAudit(t.app, 'staff-added'))?.detail).toBe('Di Evans (di) added as Champion');
  });
});

describe('editing staff', () => {
  it('saves the changes and records what changed', async () => {
    const id = await staffId(t.app, 'bo');
    await admin.get(`/staff/${id}`);
    const response = await admin.post(`/staff/${id}`, {
      name: 'Bo Chen',
      username: 'bo',
      email: 'bo.chen@example.org',
      department: 'Billing',
      roleId: String(await roleId(t.app, { key: 'champion' })),
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/staff/${id}?done=saved`);
    expect((await lastAudit(t.app, 'staff-changed'))?.detail).toBe(
      'Bo Chen (bo): email “bo@example.org” → “bo.chen@example.org”; role “Staff” → “Champion”',
    );
    await admin.post(`/staff/${id}`, {
      name: 'Bo Chen',
      username: 'bo',
      email: 'bo@example.org',
      department: 'Billing',
      roleId: String(await roleId(t.app, { key: 'staff' })),
    });
  });

  it('refuses another person’s username beside the field', async () => {
    const id = await staffId(t.app, 'bo');
    await admin.get(`/staff/${id}`);
    const response = await admin.post(`/staff/${id}`, {
      name: 'Bo Chen',
      username: 'Cy',
      email: 'bo@example.org',
      department: 'Billing',
      roleId: String(await roleId(t.app, { key: 'staff' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="username-error">That username is taken/);
    expect(response.body).toContain('value="Cy"');
  });
});

describe('the last administrator', () => {
  it('cannot be given another role', async () => {
    const id = await staffId(t.app, 'ann');
    await admin.get(`/staff/${id}`);
    const response = await admin.post(`/staff/${id}`, {
      name: 'Ann Lee',
      username: 'ann',
      email: 'ann@example.org',
      department: 'Front office',
      roleId: String(await roleId(t.app, { key: 'staff' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="roleId-error">At least one active person must keep/);
    const row = await t.app.db
      .selectFrom('staff')
      .select('role_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.role_id).toBe(await roleId(t.app, { key: 'admin' }));
    // Nothing half-done was recorded.
    expect((await lastAudit(t.app, 'staff-changed'))?.detail).not.toContain('Ann Lee');
  });

  it('cannot be deactivated, and keeps their session', async () => {
    const id = await staffId(t.app, 'ann');
    const confirm = await admin.get(`/staff/${id}/deactivate`);
    expect(confirm.statusCode).toBe(200);
    const response = await admin.post(`/staff/${id}/deactivate`);
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('At least one active person must keep');
    expect((await admin.get('/staff')).statusCode).toBe(200);
  });

  it('can go once another active person manages staff', async () => {
    await addStaff(t.app, 'eve', { name: 'Eve Fox', role: 'admin' });
    const eve = await signIn(t.app, 'eve');
    const annId = await staffId(t.app, 'ann');
    await eve.get(`/staff/${annId}/deactivate`);
    expect((await eve.post(`/staff/${annId}/deactivate`)).statusCode).toBe(303);
    // Eve is now the last one: she cannot deactivate herself.
    const eveId = await staffId(t.app, 'eve');
    await eve.get(`/staff/${eveId}/deactivate`);
    expect((await eve.post(`/staff/${eveId}/deactivate`)).statusCode).toBe(409);
    await eve.get(`/staff/${annId}/reactivate`);
    expect((await eve.post(`/staff/${annId}/reactivate`)).statusCode).toBe(303);
    admin = await signIn(t.app, 'ann');
  });
});

describe('deactivation', () => {
  it('ends the person’s sessions at once and blocks sign-in; reactivation lets them back', async () => {
    const bo = await signIn(t.app, 'bo');
    const other = await signIn(t.app, 'bo');
    expect((await bo.get('/')).statusCode).toBe(200);
    const id = await staffId(t.app, 'bo');

    const confirm = await admin.get(`/staff/${id}/deactivate`);
    expect(confirm.body).toContain('will be signed out at once');
    const done = await admin.post(`/staff/${id}/deactivate`);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/staff/${id}?done=deactivated`);

    const sessions = await t.app.db
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
    const again = new Browser(t.app);
    await again.get('/sign-in');
    expect((await again.post('/sign-in', { username: 'bo', password: PASSWORD })).statusCode).toBe(
      401,
    );
    const audit = await lastAudit(t.app, 'staff-deactivated');
    expect(audit).toMatchObject({
      actor: 'Ann Lee (ann)',
      detail: 'Bo Chen (bo) deactivated; their sessions were ended',
    });

    // Kept in the list of deactivated staff, never deleted.
    expect(names((await admin.get('/staff')).body)).not.toContain('Bo Chen');
    expect(names((await admin.get('/staff?status=inactive')).body)).toEqual(['Bo Chen']);
    expect(names((await admin.get('/staff?status=all&q=bo')).body)).toEqual(['Bo Chen']);

    await admin.get(`/staff/${id}/reactivate`);
    expect((await admin.post(`/staff/${id}/reactivate`)).statusCode).toBe(303);
    expect((await lastAudit(t.app, 'staff-reactivated'))?.detail).toBe('Bo Chen (bo) reactivated');
    expect((await signIn(t.app, 'bo')).csrf).toBeTruthy();
  });

  it('lists the person’s open tickets for reassignment', async () => {
    const cyId = await staffId(t.app, 'cy');
    const annId = await staffId(t.app, 'ann');
    const priority = await t.app.db
      .selectFrom('priorities')
      .select('id')
      .where('key', '=', 'medium')
      .executeTakeFirstOrThrow();
    const at = t.app.now().toISOString();
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
    const rows = await t.app.db
      .insertInto('tickets')
      .values([
        ticket('Printer jams', 'new', cyId),
        ticket('Scanner <offline>', 'waiting', cyId),
        ticket('Old one', 'complete', cyId),
        ticket('Someone else’s', 'new', annId),
      ])
      .returning('id')
      .execute();

    await admin.get(`/staff/${cyId}/deactivate`);
    const done = await admin.post(`/staff/${cyId}/deactivate`);
    const page = await admin.get(done.headers.location as string);
    expect(page.body).toContain('Deactivated. Their sessions have ended');
    expect(page.body).toContain(
      `<a href="/tickets/${rows[0]?.id}">#${rows[0]?.id} Printer jams</a>`,
    );
    expect(page.body).toContain(
      `<a href="/tickets/${rows[1]?.id}">#${rows[1]?.id} Scanner &lt;offline&gt;</a>`,
    );
    expect(page.body).not.toContain('Old one');
    expect(page.body).not.toContain('Someone else’s');
  });

  it('is a POST with the form token: a forged one changes nothing', async () => {
    const id = await staffId(t.app, 'bo');
    const forged = await admin.post(`/staff/${id}/deactivate`, { _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    const row = await t.app.db
      .selectFrom('staff')
      .select('active')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.active).toBe(1);
  });
});

describe('navigation', () => {
  it('shows Staff and Roles only to those who manage staff, and Profile to everyone', async () => {
    const page = await admin.get('/');
    expect(page.body).toMatch(/href="\/staff"/);
    expect(page.body).toMatch(/href="\/roles"/);
    expect(page.body).toMatch(/href="\/profile"/);
    const bo = await signIn(t.app, 'bo');
    const theirs = await bo.get('/');
    expect(theirs.body).not.toMatch(/href="\/staff"/);
    expect(theirs.body).not.toMatch(/href="\/roles"/);
    expect(theirs.body).toMatch(/href="\/profile"/);
  });
});
