import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkPassword, hashPassword, verifyPassword } from '../../auth/passwords.js';
import { Throttle, USERNAME_RULE } from '../../auth/throttle.js';
import { auditChange } from '../../change-context.js';
import type { FieldErrors } from '../../forms/fields.js';
import { findStaffById, findStaffWithRole } from '../../repositories/staff.js';
import { changeOwnPassword } from '../../staff/password-changes.js';
import { changeOf } from '../../web/change-context.js';

/** The signed-in person's own page: who they are, and their password. */
const profile: FastifyPluginAsync = async (app) => {
  // Someone at an unlocked desk must not get to guess the current password freely.
  const wrongCurrent = new Throttle(USERNAME_RULE);

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldErrors = {},
    code = 200,
  ) => {
    const me = request.staff as NonNullable<FastifyRequest['staff']>;
    const query = request.query as Record<string, unknown>;
    return reply.code(code).page('profile/index', {
      title: 'Profile',
      me: await findStaffWithRole(app.db, me.id),
      errors,
      passwordChanged: query['password-changed'] === '1',
    });
  };

  app.get('/profile', async (request, reply) => page(request, reply));

  app.post('/profile/password', async (request, reply) => {
    const me = request.staff as NonNullable<FastifyRequest['staff']>;
    const session = request.session as NonNullable<FastifyRequest['session']>;
    const body = request.body as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const current = field('current');
    const password = field('password');
    const key = `staff:${me.id}`;
    const now = app.now();

    const wait = wrongCurrent.waitFor(key, now.getTime());
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      reply.header('retry-after', String(seconds));
      return page(request, reply, { current: `Too many attempts. Wait ${seconds} s.` }, 429);
    }
    const account = await findStaffById(app.db, me.id);
    const errors: FieldErrors = {};
    if (!current) errors.current = 'Enter your current password.';
    else {
      // Counted before the check, so attempts sent together cannot all pass the wait.
      wrongCurrent.fail(key, now.getTime());
      if (account?.password_hash && (await verifyPassword(account.password_hash, current))) {
        wrongCurrent.forgive(key);
      } else {
        await auditChange(app.db, changeOf(request), { action: 'password-change-failed' });
        errors.current = 'That is not your current password.';
      }
    }
    const problem = checkPassword(password, { username: me.username, name: me.name });
    if (problem) errors.password = problem;
    else if (password === current)
      errors.password = 'Choose a password different from the current one.';
    else if (password !== body.confirm) errors.confirm = 'The two passwords differ.';
    // Passwords are never written back into the page, as on the sign-in form.
    if (Object.keys(errors).length > 0) return page(request, reply, errors, 422);

    wrongCurrent.clear(key);
    await changeOwnPassword(app.db, {
      sessionId: session.id,
      passwordHash: await hashPassword(password),
      change: changeOf(request),
    });
    return reply.redirect('/profile?password-changed=1', 303);
  });
};

export default profile;
