import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { clearCookie } from '../../auth/cookies.js';
import { startSession } from '../../auth/sessions.js';
import { Throttle, USERNAME_RULE } from '../../auth/throttle.js';
import { hashToken } from '../../auth/tokens.js';
import {
  MAX_PENDING_FAILURES,
  pendingCookieName,
  verifySecondFactor,
} from '../../auth/two-factor.js';
import { formToken } from '../../decorators/auth.js';
import { text } from '../../forms/fields.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import { findStaffById } from '../../repositories/staff.js';
import {
  countPendingFailure,
  deletePendingSignIn,
  findPendingSignIn,
} from '../../repositories/two-factor.js';

/**
 * The second step of sign-in: a code from the authenticator app, or a recovery
 * code. Only a pending sign-in (cookie + row, five minutes) gets here; the
 * session starts when the code is right.
 */
const twoFactorSignIn: FastifyPluginAsync = async (app) => {
  // Wrong codes per person earn growing waits, as wrong passwords do.
  const byStaff = new Throttle(USERNAME_RULE);

  async function pending(request: FastifyRequest) {
    const token = request.cookies[pendingCookieName(app.config)];
    if (!token) return undefined;
    const row = await findPendingSignIn(app.db, hashToken(token), app.now());
    if (!row) return undefined;
    const staff = await findStaffById(app.db, row.staff_id);
    return staff && staff.active === 1 ? { row, staff } : undefined;
  }

  function startAgain(reply: FastifyReply, reason: string) {
    clearCookie(reply, app.config, pendingCookieName(app.config));
    return reply.redirect(`/sign-in?again=${reason}`, 303);
  }

  function form(request: FastifyRequest, reply: FastifyReply, error: string | null) {
    return reply.header('cache-control', 'no-store').page('auth/two-factor', {
      title: 'Enter your code',
      formToken: formToken(request, reply),
      error,
    });
  }

  app.get('/sign-in/two-factor', async (request, reply) => {
    if (request.staff) return reply.redirect('/', 303);
    if (!(await pending(request))) return startAgain(reply, 'expired');
    return form(request, reply, null);
  });

  app.post('/sign-in/two-factor', async (request, reply) => {
    const found = await pending(request);
    if (!found) return startAgain(reply, 'expired');
    const { row, staff } = found;
    const key = `2fa:${staff.id}`;
    const nowMs = app.now().getTime();
    const wait = byStaff.waitFor(key, nowMs);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      reply.header('retry-after', String(seconds));
      return form(
        request,
        reply.code(429),
        `Too many wrong codes. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
      );
    }
    const input = text((request.body as Record<string, unknown>).code);
    // Counted before the check, so codes sent together cannot all pass the wait.
    byStaff.fail(key, nowMs);
    const result = await verifySecondFactor(app.db, app.phi, staff.id, input, app.now());
    const actor = staffActor(staff);
    if (result.kind === 'wrong') {
      await recordAudit(app.db, { actor, action: 'two-factor-failed', ip: request.ip }, app.now());
      if ((await countPendingFailure(app.db, row.id)) >= MAX_PENDING_FAILURES) {
        await deletePendingSignIn(app.db, row.id);
        return startAgain(reply, 'too-many-codes');
      }
      return form(
        request,
        reply.code(401),
        'That code did not work. Enter the newest code from your authenticator app, or an unused recovery code.',
      );
    }
    byStaff.clear(key);
    await deletePendingSignIn(app.db, row.id);
    clearCookie(reply, app.config, pendingCookieName(app.config));
    await startSession(app.db, app.config, reply, staff.id, request.ip, app.now());
    await recordAudit(
      app.db,
      result.kind === 'code'
        ? { actor, action: 'two-factor-passed', ip: request.ip }
        : {
            actor,
            action: 'recovery-code-used',
            detail: `${result.left} recovery code${result.left === 1 ? '' : 's'} left`,
            ip: request.ip,
          },
      app.now(),
    );
    await recordAudit(app.db, { actor, action: 'sign-in', ip: request.ip }, app.now());
    const next =
      result.kind === 'recovery-code' && result.left <= 2 ? '/profile/two-factor?low=1' : row.next;
    return reply.redirect(next, 303);
  });
};

export default twoFactorSignIn;
