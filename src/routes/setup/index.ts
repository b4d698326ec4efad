import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { hashPassword } from '../../auth/passwords.js';
import { startSession } from '../../auth/sessions.js';
import { hashToken } from '../../auth/tokens.js';
import { formToken } from '../../decorators/auth.js';
import { type FieldErrors, text } from '../../forms/fields.js';
import { isSetupTokenUsable, useSetupToken } from '../../repositories/setup-tokens.js';
import { countStaff, createStaff, usernameTaken } from '../../repositories/staff.js';
import { validateStaffFields } from '../../staff/validate.js';

function tokenHashOf(request: FastifyRequest): string {
  return hashToken((request.params as { token: string }).token);
}

/** The first administrator's account, from the link printed on first start. */
const setup: FastifyPluginAsync = async (app) => {
  const spent = {
    title: 'This setup link cannot be used',
    message:
      'Setup links work once and for one hour. If nobody has set up hushdesk yet, restart it to print a new link.',
  };

  app.get('/setup/:token', async (request, reply) => {
    const usable =
      (await countStaff(app.db)) === 0 &&
      (await isSetupTokenUsable(app.db, tokenHashOf(request), app.now()));
    if (!usable) return reply.code(410).page('error', spent);
    return reply.page('setup/index', {
      formToken: formToken(request, reply),
      values: { name: '', username: '', email: '', department: '' },
      errors: {},
    });
  });

  app.post('/setup/:token', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const tokenHash = tokenHashOf(request);
    const now = app.now();
    if ((await countStaff(app.db)) > 0 || !(await isSetupTokenUsable(app.db, tokenHash, now))) {
      return reply.code(410).page('error', spent);
    }
    const values = {
      name: text(body.name),
      username: text(body.username),
      email: text(body.email),
      department: text(body.department),
    };
    const password = typeof body.password === 'string' ? body.password : '';
    const errors: FieldErrors = validateStaffFields({ ...values, password });
    if (!errors.password && body.password !== body.confirm) {
      errors.confirm = 'The two passwords differ.';
    }
    if (Object.keys(errors).length > 0) {
      return reply
        .code(422)
        .page('setup/index', { formToken: formToken(request, reply), values, errors });
    }
    const passwordHash = await hashPassword(password);
    const created = await app.db.transaction().execute(async (trx) => {
      if (!(await useSetupToken(trx, tokenHash, now))) return null;
      if (await usernameTaken(trx, values.username)) return null;
      return createStaff(
        trx,
        { ...values, department: values.department || null, roleKey: 'admin', passwordHash },
        now,
      );
    });
    if (!created) return reply.code(410).page('error', spent);
    await startSession(app.db, app.config, reply, created.id, request.ip, now);
    return reply.redirect('/?welcome=1', 303);
  });
};

export default setup;
