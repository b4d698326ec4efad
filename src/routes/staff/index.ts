import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { type FieldErrors, text } from '../../forms/fields.js';
import { listRoles } from '../../repositories/roles.js';
import {
  findStaffWithRole,
  listOpenTicketsAssignedTo,
  type StaffChanges,
  type StaffStatusFilter,
  searchStaff,
} from '../../repositories/staff.js';
import { hasConfirmedTwoFactor } from '../../repositories/two-factor.js';
import {
  addStaffMember,
  changeStaffMember,
  LastAdministratorError,
  UsernameTakenError,
} from '../../staff/administration.js';
import { validateStaffFields } from '../../staff/validate.js';
import { changeOf } from '../../web/change-context.js';
import { idParam } from '../params.js';
import status, { resetTwoFactor } from './status.js';

interface StaffFormValues {
  name: string;
  username: string;
  email: string;
  department: string;
  roleId: string;
}

const STATUSES: readonly StaffStatusFilter[] = ['active', 'inactive', 'all'];
const FLASHES: Record<string, string> = {
  added: 'Added. They have no password yet: make a password link below and pass it on.',
  saved: 'Saved.',
  deactivated: 'Deactivated. Their sessions have ended and they cannot sign in.',
  reactivated: 'Reactivated. They can sign in again with their password.',
  'two-factor-reset':
    'Two-step sign-in turned off and their sessions ended. They can enrol again from their profile.',
};

/** Staff administration: list, search, add and edit. Staff are never deleted. */
const staff: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_staff');
  await app.register(status);
  await app.register(resetTwoFactor);

  const roleChoices = async () =>
    (await listRoles(app.db)).map(({ id, key, name }) => ({ id, key, name }));

  const form = async (
    reply: FastifyReply,
    member: { id: number; active: number } | null,
    values: StaffFormValues,
    errors: FieldErrors,
    code = 200,
  ) => {
    const flash = (reply.request.query as Record<string, unknown>).done;
    return reply.code(code).page('staff/form', {
      title: member ? `Staff: ${values.name}` : 'Add staff',
      member,
      values,
      errors,
      roles: await roleChoices(),
      flash: typeof flash === 'string' ? FLASHES[flash] : undefined,
      openTickets:
        member && member.active !== 1 ? await listOpenTicketsAssignedTo(app.db, member.id) : [],
      hasTwoFactor: member ? await hasConfirmedTwoFactor(app.db, member.id) : false,
    });
  };

  /** Reads and checks the form; the role must be one that exists. */
  const read = async (request: FastifyRequest) => {
    const body = request.body as Record<string, unknown>;
    const values: StaffFormValues = {
      name: text(body.name),
      username: text(body.username),
      email: text(body.email),
      department: text(body.department),
      roleId: text(body.roleId),
    };
    const errors: FieldErrors = validateStaffFields(values);
    const roleId = Number(values.roleId);
    if (!(await roleChoices()).some((r) => r.id === roleId)) errors.roleId = 'Choose a role.';
    const changes: StaffChanges = {
      name: values.name,
      username: values.username,
      email: values.email,
      department: values.department || null,
      roleId,
    };
    return { values, errors, changes };
  };

  app.get('/staff', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const filter = {
      query: text(query.q).slice(0, 100),
      status: STATUSES.find((s) => s === query.status) ?? 'active',
    };
    return reply.page(
      'staff/index',
      { title: 'Staff', filter, rows: await searchStaff(app.db, filter) },
      { fragment: 'staff/_results' },
    );
  });

  app.get('/staff/new', async (_request, reply) => {
    // The least-privileged built-in role, found by key so a rename does not matter.
    const staffRole = (await roleChoices()).find((r) => r.key === 'staff');
    return form(
      reply,
      null,
      { name: '', username: '', email: '', department: '', roleId: String(staffRole?.id ?? '') },
      {},
    );
  });

  app.post('/staff', async (request, reply) => {
    const { values, errors, changes } = await read(request);
    if (Object.keys(errors).length === 0) {
      try {
        const created = await addStaffMember(app.db, {
          member: changes,
          change: changeOf(request),
        });
        return reply.redirect(`/staff/${created.id}?done=added`, 303);
      } catch (error) {
        if (!(error instanceof UsernameTakenError)) throw error;
        errors.username = error.message;
      }
    }
    return form(reply, null, values, errors, 422);
  });

  app.get('/staff/:id', async (request, reply) => {
    const id = idParam(request);
    const member = id === null ? undefined : await findStaffWithRole(app.db, id);
    if (!member) return reply.callNotFound();
    return form(
      reply,
      member,
      {
        name: member.name,
        username: member.username,
        email: member.email,
        department: member.department ?? '',
        roleId: String(member.role_id),
      },
      {},
    );
  });

  app.post('/staff/:id', async (request, reply) => {
    const id = idParam(request);
    const member = id === null ? undefined : await findStaffWithRole(app.db, id);
    if (!member) return reply.callNotFound();
    const { values, errors, changes } = await read(request);
    if (Object.keys(errors).length === 0) {
      try {
        await changeStaffMember(app.db, {
          staffId: member.id,
          changes,
          change: changeOf(request),
        });
        return reply.redirect(`/staff/${member.id}?done=saved`, 303);
      } catch (error) {
        if (error instanceof UsernameTakenError) errors.username = error.message;
        else if (error instanceof LastAdministratorError) errors.roleId = error.message;
        else throw error;
      }
    }
    return form(reply, member, values, errors, 422);
  });
};

export default staff;
