import { describe, expect, it } from 'vitest';
import { signIn, useStaffPagesApp } from '../helpers/app.js';
import { lastAudit, roleId, staffId } from '../helpers/db.js';
import { readable, staffNames } from '../helpers/pages.js';

const w = useStaffPagesApp();

describe('the staff list', () => {
  it('lists active staff by name and searches name, username and department', async () => {
    expect(staffNames((await w.admin.get('/staff')).body)).toEqual([
      'Ann Lee',
      'Bo Chen',
      'Cy Diaz',
    ]);
    expect(staffNames((await w.admin.get('/staff?q=chen')).body)).toEqual(['Bo Chen']);
    expect(staffNames((await w.admin.get('/staff?q=CY')).body)).toEqual(['Cy Diaz']);
    expect(staffNames((await w.admin.get('/staff?q=bill')).body)).toEqual(['Bo Chen']);
    // Wildcards typed in are plain characters.
    expect(staffNames((await w.admin.get('/staff?q=%25')).body)).toEqual([]);
    const none = await w.admin.get('/staff?q=%3Cb%3Ezed');
    expect(readable(none.body)).toContain('Nobody matches “&lt;b&gt;zed”');
  });

  it('answers an htmx search with the results only', async () => {
    const swap = await w.admin.htmx('GET', '/staff?q=bo');
    expect(swap.statusCode).toBe(200);
    expect(swap.body).not.toContain('<html');
    expect(swap.body).not.toContain('id="staff-results"');
    expect(staffNames(swap.body)).toEqual(['Bo Chen']);
  });
});

describe('adding staff', () => {
  /** Opens the form, as a browser does before posting it, and posts these fields. */
  async function postNewStaff(fields: Record<string, string>) {
    await w.admin.get('/staff/new');
    return w.admin.post('/staff', fields);
  }

  it('offers the Staff role first, even after it is renamed', async () => {
    const staffRole = await roleId(w.t.app, { key: 'staff' });
    await w.t.app.db
      .updateTable('roles')
      .set({ name: 'Team member' })
      .where('id', '=', staffRole)
      .execute();
    const page = await w.admin.get('/staff/new');
    expect(page.body).toMatch(new RegExp(`<option value="${staffRole}" selected>Team member`));
    await w.t.app.db
      .updateTable('roles')
      .set({ name: 'Staff' })
      .where('id', '=', staffRole)
      .execute();
  });

  it('keeps what was typed and puts each message beside its field', async () => {
    const response = await postNewStaff({
      name: 'Di Evans',
      username: 'd',
      email: 'not-an-email',
      department: 'Intake',
      roleId: String(await roleId(w.t.app, { key: 'champion' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('value="Di Evans"');
    expect(response.body).toContain('value="not-an-email"');
    expect(response.body).toContain('value="Intake"');
    expect(response.body).toMatch(/id="username-error">Use 2 to 40 letters/);
    expect(response.body).toMatch(/id="email-error">Enter an email address such as/);
    expect(response.body).toMatch(
      new RegExp(`<option value="${await roleId(w.t.app, { key: 'champion' })}" selected>Champion`),
    );
  });

  it('says a username is taken beside the field, whatever its case', async () => {
    const response = await postNewStaff({
      name: 'Bob Other',
      username: 'BO',
      email: 'bob@example.org',
      department: '',
      roleId: String(await roleId(w.t.app, { key: 'staff' })),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="username-error">That username is taken/);
    expect(response.body).toContain('value="Bob Other"');
  });

  it('refuses a role that does not exist', async () => {
    const response = await postNewStaff({
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
    const response = await postNewStaff({
      name: 'Di Evans',
      username: 'di',
      email: 'di@example.org',
      department: 'Intake',
      roleId: String(await roleId(w.t.app, { key: 'champion' })),
    });
    expect(response.statusCode).toBe(303);
    const id = await staffId(w.t.app, 'di');
    expect(response.headers.location).toBe(`/staff/${id}?done=added`);
    const page = await w.admin.get(response.headers.location as string);
    expect(page.body).toContain('They have no password yet');
    const row = await w.t.app.db
      .selectFrom('staff')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ password_hash: null, active: 1, department: 'Intake' });
    expect((await lastAudit(w.t.app, 'staff-added'))?.detail).toBe(
      'Di Evans (di) added as Champion',
    );
  });
});

describe('editing staff', () => {
  /** Posts Bo's edit form with his current values, changed by `changes`. */
  async function editBo(changes: Record<string, string> & { role?: string } = {}) {
    const id = await staffId(w.t.app, 'bo');
    await w.admin.get(`/staff/${id}`);
    const { role = 'staff', ...fields } = changes;
    const response = await w.admin.post(`/staff/${id}`, {
      name: 'Bo Chen',
      username: 'bo',
      email: 'bo@example.org',
      department: 'Billing',
      roleId: String(await roleId(w.t.app, { key: role })),
      ...fields,
    });
    return { id, response };
  }

  it('saves the changes and records what changed', async () => {
    const { id, response } = await editBo({ email: 'bo.chen@example.org', role: 'champion' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/staff/${id}?done=saved`);
    expect((await lastAudit(w.t.app, 'staff-changed'))?.detail).toBe(
      'Bo Chen (bo): email “bo@example.org” → “bo.chen@example.org”; role “Staff” → “Champion”',
    );
    await editBo();
  });

  it('refuses another person’s username beside the field', async () => {
    const { response } = await editBo({ username: 'Cy' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="username-error">That username is taken/);
    expect(response.body).toContain('value="Cy"');
  });
});

describe('navigation', () => {
  it('shows Staff and Roles only to those who manage staff, and Profile to everyone', async () => {
    const page = await w.admin.get('/');
    expect(page.body).toMatch(/href="\/staff"/);
    expect(page.body).toMatch(/href="\/roles"/);
    expect(page.body).toMatch(/href="\/profile"/);
    const bo = await signIn(w.t.app, 'bo');
    const theirs = await bo.get('/');
    expect(theirs.body).not.toMatch(/href="\/staff"/);
    expect(theirs.body).not.toMatch(/href="\/roles"/);
    expect(theirs.body).toMatch(/href="\/profile"/);
  });
});
