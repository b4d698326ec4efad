import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkPassword, hashPassword } from '../../auth/passwords.js';
import { hashToken } from '../../auth/tokens.js';
import { formToken } from '../../decorators/auth.js';
import type { FieldErrors } from '../../forms/fields.js';
import { findUsablePasswordResetToken } from '../../repositories/password-resets.js';
import { findStaffById } from '../../repositories/staff.js';
import { RESET_LINK_HOURS, setPasswordWithLink } from '../../staff/password-changes.js';

function tokenHashOf(request: FastifyRequest): string {
  return hashToken((request.params as { token: string }).token);
}

/**
 * The page a password link opens: no sign-in, the link is the proof. Its path
 * is masked in the logs (build.ts redactPath).
 */
const passwordReset: FastifyPluginAsync = async (app) => {
  const spent = {
    title: 'This password link cannot be used',
    message: `Password links work once and for ${RESET_LINK_HOURS} hours. Ask an administrator for a new one.`,
  };

  const personFor = async (tokenHash: string) => {
    const token = await findUsablePasswordResetToken(app.db, tokenHash, app.now());
    const member = token ? await findStaffById(app.db, token.staff_id) : undefined;
    return member?.active === 1 ? member : undefined;
  };

  // A signed-in browser posts with its session's token; a signed-out one with the form cookie.
  const csrfFor = (request: FastifyRequest, reply: FastifyReply) =>
    request.session?.csrfToken ?? formToken(request, reply);

  app.get('/reset/:token', async (request, reply) => {
    const member = await personFor(tokenHashOf(request));
    if (!member) return reply.code(410).page('error', spent);
    return reply.page('reset/index', {
      title: 'Set a new password',
      formToken: csrfFor(request, reply),
      member,
      errors: {},
    });
  });

  app.post('/reset/:token', async (request, reply) => {
    const tokenHash = tokenHashOf(request);
    const member = await personFor(tokenHash);
    if (!member) return reply.code(410).page('error', spent);
    const body = request.body as Record<string, unknown>;
    const password = typeof body.password === 'string' ? body.password : '';
    const errors: FieldErrors = {};
    const problem = checkPassword(password, { username: member.username, name: member.name });
    if (problem) errors.password = problem;
    else if (password !== body.confirm) errors.confirm = 'The two passwords differ.';
    if (Object.keys(errors).length > 0) {
      return reply.code(422).page('reset/index', {
        title: 'Set a new password',
        formToken: csrfFor(request, reply),
        member,
        errors,
      });
    }
    const passwordHash = await hashPassword(password);
    if (!(await setPasswordWithLink(app.db, tokenHash, passwordHash, request.ip, app.now()))) {
      return reply.code(410).page('error', spent);
    }
    return reply.redirect('/sign-in', 303);
  });
};

export default passwordReset;
