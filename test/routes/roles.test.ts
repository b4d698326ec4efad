import { describe, expect, it } from 'vitest';
import { addStaff, signIn, useAdminApp } from '../helpers/app.js';
import { lastAudit, roleId } from '../helpers/db.js';

const w = useAdminApp();

async function permissionsOf(name: string): Promise<string[]> {
  const rows = await w.t.app.db
    .selectFrom('role_permissions')
    .innerJoin('roles', 'roles.id', 'role_permissions.role_id')
    .select('permission')
    .where('roles.name', '=', name)
    .orderBy('permission')
    .execute();
  return rows.map((r) => r.permission);
}

describe('the roles list', () => {
  it('shows each role with its permissions in plain words', async () => {
    const page = await w.admin.get('/roles');
    expect(page.statusCode).toBe(200);
    for (const name of ['Administrator', 'Champion', 'Staff', 'External support']) {
      expect(page.body).toContain(name);
    }
    expect(page.body).toContain('See all tickets, Send tickets to the escalation desk');
    expect(page.body).toMatch(/href="\/roles\/new"/);
  });
});

describe('adding a role', () => {
  it('keeps what was typed and says what is wrong beside the field', async () => {
    await w.admin.get('/roles/new');
    const empty = await w.admin.post('/roles', { name: '  ', permissions: 'see_all_tickets' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/id="name-error">Enter a name for the role/);
    expect(empty.body).toMatch(/value="see_all_tickets"\s+checked/);

    const taken = await w.admin.post('/roles', { name: 'champion', permissions: 'view_audit_log' });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toMatch(/id="name-error">Another role has that name/);
    expect(taken.body).toContain('value="champion"');
    expect(taken.body).toMatch(/value="view_audit_log"\s+checked/);
  });

  it('adds the role with the boxes ticked, ignores unknown permissions, and audits it', async () => {
    await w.admin.get('/roles/new');
    const added = await w.admin.post('/roles', {
      name: 'Billing lead',
      permissions: ['see_all_tickets', 'view_audit_log', 'be_root'],
    });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/roles?saved=1');
    expect(await permissionsOf('Billing lead')).toEqual(['see_all_tickets', 'view_audit_log']);
    const audit = await lastAudit(w.t.app, 'role-added');
    expect(audit?.actor).toBe('Ann Lee (ann)');
    expect(audit?.staff_id).not.toBeNull();
    expect(audit?.detail).toBe(
      'Role “Billing lead” added with See all tickets, View the audit log',
    );
    expect(audit?.at).toBe(w.t.app.now().toISOString());
  });
});

describe('renaming a role', () => {
  it('keeps a built-in role’s key, so the app still knows it', async () => {
    const id = await roleId(w.t.app, { name: 'Champion' });
    await w.admin.get(`/roles/${id}`);
    const saved = await w.admin.post(`/roles/${id}`, {
      name: 'Super user',
      permissions: ['see_all_tickets', 'send_to_desk', 'merge_tickets', 'see_reports'],
    });
    expect(saved.statusCode).toBe(303);
    const role = await w.t.app.db
      .selectFrom('roles')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(role).toMatchObject({ key: 'champion', name: 'Super user' });
    expect((await lastAudit(w.t.app, 'role-renamed'))?.detail).toBe(
      'Role “Champion” renamed to “Super user”',
    );
    // Unchanged permissions write no permission entry.
    expect(await lastAudit(w.t.app, 'role-permissions-changed')).toBeUndefined();
    await w.admin.post(`/roles/${id}`, {
      name: 'Champion',
      permissions: ['see_all_tickets', 'send_to_desk', 'merge_tickets', 'see_reports'],
    });
  });

  it('answers 404 for a role that does not exist', async () => {
    expect((await w.admin.get('/roles/999')).statusCode).toBe(404);
    expect((await w.admin.get('/roles/abc')).statusCode).toBe(404);
  });
});

describe('a permission change', () => {
  it('applies at the person’s next request, without signing out, and is recorded', async () => {
    await w.admin.get('/roles/new');
    await w.admin.post('/roles', { name: 'Office manager', permissions: 'see_all_tickets' });
    const id = await roleId(w.t.app, { name: 'Office manager' });
    const staff = await addStaff(w.t.app, 'olu', { name: 'Olu Ade' });
    await w.t.app.db.updateTable('staff').set({ role_id: id }).where('id', '=', staff.id).execute();
    const olu = await signIn(w.t.app, 'olu');
    expect((await olu.get('/staff')).statusCode).toBe(403);
    expect((await olu.get('/')).body).not.toMatch(/href="\/staff"/);

    await w.admin.get(`/roles/${id}`);
    w.t.clock.advanceMinutes(1);
    const granted = await w.admin.post(`/roles/${id}`, {
      name: 'Office manager',
      permissions: ['see_all_tickets', 'manage_staff'],
    });
    expect(granted.statusCode).toBe(303);
    // The same session, no new sign-in: the next request sees the new permission.
    expect((await olu.get('/staff')).statusCode).toBe(200);
    expect((await olu.get('/')).body).toMatch(/href="\/staff"/);
    const audit = await lastAudit(w.t.app, 'role-permissions-changed');
    expect(audit).toMatchObject({
      actor: 'Ann Lee (ann)',
      detail: 'Role “Office manager”: added Manage staff and roles',
      at: w.t.app.now().toISOString(),
    });

    await w.admin.post(`/roles/${id}`, { name: 'Office manager', permissions: 'see_all_tickets' });
    expect((await olu.get('/staff')).statusCode).toBe(403);
    expect((await lastAudit(w.t.app, 'role-permissions-changed'))?.detail).toBe(
      'Role “Office manager”: removed Manage staff and roles',
    );
  });
});

describe('the last administrator', () => {
  it('cannot lose the permission to manage staff by an edit of their role', async () => {
    const id = await roleId(w.t.app, { name: 'Administrator' });
    await w.admin.get(`/roles/${id}`);
    const refused = await w.admin.post(`/roles/${id}`, {
      name: 'Administrator',
      permissions: ['manage_settings', 'see_all_tickets'],
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/id="permissions-error">At least one active person must keep/);
    // What was ticked is kept for another try.
    expect(refused.body).toMatch(/value="manage_settings"\s+checked/);
    expect(refused.body).not.toMatch(/value="manage_staff"\s+checked/);
    expect(await permissionsOf('Administrator')).toContain('manage_staff');
    expect((await w.admin.get('/roles')).statusCode).toBe(200);
  });

  it('can hand the permission over: the edit is allowed once someone else holds it', async () => {
    await w.admin.get('/roles/new');
    await w.admin.post('/roles', { name: 'Staff manager', permissions: 'manage_staff' });
    const managerRole = await roleId(w.t.app, { name: 'Staff manager' });
    const kim = await addStaff(w.t.app, 'kim', { name: 'Kim Park' });
    await w.t.app.db
      .updateTable('staff')
      .set({ role_id: managerRole })
      .where('id', '=', kim.id)
      .execute();
    const id = await roleId(w.t.app, { name: 'Administrator' });
    const allowed = await w.admin.post(`/roles/${id}`, {
      name: 'Administrator',
      permissions: ['manage_settings'],
    });
    expect(allowed.statusCode).toBe(303);
    expect((await w.admin.get('/roles')).statusCode).toBe(403);
    // Put things back for the other tests, as Kim.
    const kimBrowser = await signIn(w.t.app, 'kim');
    await kimBrowser.get(`/roles/${id}`);
    const restored = await kimBrowser.post(`/roles/${id}`, {
      name: 'Administrator',
      permissions: [
        'manage_staff',
        'manage_settings',
        'see_all_tickets',
        'send_to_desk',
        'view_audit_log',
        'manage_api_tokens',
      ],
    });
    expect(restored.statusCode).toBe(303);
    await w.t.app.db.updateTable('staff').set({ active: 0 }).where('id', '=', kim.id).execute();
  });
});

describe('External support', () => {
  it('takes no permissions, and its holders see no staff, roles or their links', async () => {
    const id = await roleId(w.t.app, { name: 'External support' });
    await w.admin.get(`/roles/${id}`);
    const refused = await w.admin.post(`/roles/${id}`, {
      name: 'External support',
      permissions: 'see_all_tickets',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/id="permissions-error">External support takes no permissions/);
    expect(await permissionsOf('External support')).toEqual([]);

    await addStaff(w.t.app, 'vendor', { name: 'Val Vendor', role: 'external' });
    const vendor = await signIn(w.t.app, 'vendor');
    for (const path of ['/staff', '/staff/1', '/staff/new', '/roles', '/roles/1']) {
      expect((await vendor.get(path)).statusCode, path).toBe(403);
    }
    const home = await vendor.get('/');
    expect(home.body).not.toMatch(/href="\/(staff|roles)"/);
  });
});
