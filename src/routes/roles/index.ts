import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { type FieldErrors, text } from '../../forms/fields.js';
import { findRoleById, listRoles, roleNameTaken } from '../../repositories/roles.js';
import {
  addRole,
  changeRole,
  LastAdministratorError,
  RoleNotEditableError,
} from '../../staff/administration.js';
import { PERMISSIONS, permissionLabel, permissionsFromForm } from '../../staff/permissions.js';
import { validateRoleName } from '../../staff/validate.js';
import { changeOf } from '../../web/change-context.js';
import { idParam } from '../params.js';

interface RoleForm {
  name: string;
  permissions: string[];
}

/** Roles and their permissions, edited as checkboxes by those who manage staff. */
const roles: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_staff');

  const form = (
    reply: FastifyReply,
    role: { id: number; key: string | null } | null,
    values: RoleForm,
    errors: FieldErrors,
    status = 200,
  ) =>
    reply.code(status).page('roles/form', {
      title: role ? `Role: ${values.name}` : 'Add a role',
      role,
      values,
      errors,
      permissions: PERMISSIONS,
      // External support sees only tickets sent to the desk; a permission would widen that.
      locked: role?.key === 'external',
    });

  const read = (request: FastifyRequest): RoleForm => {
    const body = request.body as Record<string, unknown>;
    return { name: text(body.name), permissions: permissionsFromForm(body.permissions) };
  };

  const check = async (values: RoleForm, exceptId?: number): Promise<FieldErrors> => {
    const errors: FieldErrors = {};
    const nameError = validateRoleName(values.name);
    if (nameError) errors.name = nameError;
    else if (await roleNameTaken(app.db, values.name, exceptId)) {
      errors.name = 'Another role has that name. Choose another.';
    }
    return errors;
  };

  app.get('/roles', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return reply.page('roles/index', {
      title: 'Roles',
      roles: await listRoles(app.db),
      permissionLabel,
      saved: query.saved === '1',
    });
  });

  app.get('/roles/new', async (_request, reply) =>
    form(reply, null, { name: '', permissions: [] }, {}),
  );

  app.post('/roles', async (request, reply) => {
    const values = read(request);
    const errors = await check(values);
    if (Object.keys(errors).length > 0) return form(reply, null, values, errors, 422);
    await addRole(app.db, { role: values, change: changeOf(request) });
    return reply.redirect('/roles?saved=1', 303);
  });

  app.get('/roles/:id', async (request, reply) => {
    const id = idParam(request);
    const role = id === null ? undefined : await findRoleById(app.db, id);
    if (!role) return reply.callNotFound();
    return form(reply, role, { name: role.name, permissions: role.permissions }, {});
  });

  app.post('/roles/:id', async (request, reply) => {
    const id = idParam(request);
    const role = id === null ? undefined : await findRoleById(app.db, id);
    if (!role) return reply.callNotFound();
    const values = read(request);
    const errors = await check(values, role.id);
    if (Object.keys(errors).length === 0) {
      try {
        await changeRole(app.db, { roleId: role.id, role: values, change: changeOf(request) });
        return reply.redirect('/roles?saved=1', 303);
      } catch (error) {
        if (!(error instanceof LastAdministratorError || error instanceof RoleNotEditableError)) {
          throw error;
        }
        errors.permissions = error.message;
      }
    }
    return form(reply, role, values, errors, 422);
  });
};

export default roles;
