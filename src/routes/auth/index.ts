import type { FastifyPluginAsync } from 'fastify';
import { loadEnabledSso, passwordAllowed } from '../../auth/oidc/settings.js';
import { ssoSignInView } from '../../auth/oidc/view.js';
import { verifyAgainstNothing, verifyPassword } from '../../auth/passwords.js';
import { endSession, startSession } from '../../auth/sessions.js';
import { SignInThrottle } from '../../auth/sign-in-throttle.js';
import { beginSecondStep } from '../../auth/two-factor.js';
import { formToken, safeReturnPath } from '../../decorators/auth.js';
import { text } from '../../forms/fields.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import { findStaffByUsername, usernameKey } from '../../repositories/staff.js';
import { hasConfirmedTwoFactor } from '../../repositories/two-factor.js';

const WRONG = 'That username and password do not match an active account.';

const auth: FastifyPluginAsync = async (app) => {
  const throttle = new SignInThrottle();

  app.get('/sign-in', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const next = safeReturnPath(query.next, app.config.baseUrl);
    if (request.staff) return reply.redirect(next, 303);
    return reply.page('auth/sign-in', {
      formToken: formToken(request, reply),
      next,
      username: '',
      error: null,
      ended: request.sessionEnded || query.ended === '1',
      again: query.again,
      ...(await ssoSignInView(app, request)),
    });
  });

  app.post('/sign-in', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const username = text(body.username);
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeReturnPath(body.next, app.config.baseUrl);
    const now = app.now().getTime();
    const again = async (status: number, error: string) =>
      reply.code(status).page('auth/sign-in', {
        formToken: formToken(request, reply),
        next,
        username,
        error,
        ended: false,
        ...(await ssoSignInView(app, request)),
      });

    const attempt = throttle.begin(usernameKey(username), request.ip, now);
    if (attempt.kind !== 'go') {
      const seconds = attempt.kind === 'wait' ? attempt.seconds : 1;
      reply.header('retry-after', String(seconds));
      return again(
        429,
        attempt.kind === 'busy'
          ? 'Too many sign-ins at once. Wait a moment and try again.'
          : `Too many attempts. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
      );
    }

    let staff: Awaited<ReturnType<typeof findStaffByUsername>>;
    let ok = false;
    try {
      staff = username ? await findStaffByUsername(app.db, username) : undefined;
      ok =
        staff?.password_hash && staff.active === 1
          ? await verifyPassword(staff.password_hash, password)
          : await verifyAgainstNothing(password);
    } finally {
      attempt.settle(ok);
    }
    if (!staff || !ok) {
      // An unknown username is not written down: people type passwords into that box.
      await recordAudit(
        app.db,
        {
          actor: staff ? staffActor(staff) : { label: 'unknown username' },
          action: 'sign-in-failed',
          ip: request.ip,
        },
        app.now(),
      );
      return again(401, WRONG);
    }
    const sso = await loadEnabledSso(app.db, app.config, app.phi);
    if (!passwordAllowed(sso, staff.id)) {
      await recordAudit(
        app.db,
        {
          actor: staffActor(staff),
          action: 'sign-in-failed',
          detail: 'password sign-in is turned off: single sign-on is required',
          ip: request.ip,
        },
        app.now(),
      );
      return again(
        403,
        `Sign in with ${sso?.name ?? 'single sign-on'}: passwords are turned off here.`,
      );
    }
    // With a second factor, the session starts only after the code (src/routes/auth/two-factor.ts).
    if (await hasConfirmedTwoFactor(app.db, staff.id)) {
      return beginSecondStep(app.db, app.config, reply, staff.id, next, app.now());
    }
    await startSession(app.db, app.config, reply, staff.id, request.ip, app.now());
    await recordAudit(
      app.db,
      { actor: staffActor(staff), action: 'sign-in', ip: request.ip },
      app.now(),
    );
    return reply.redirect(next, 303);
  });

  app.post('/sign-out', async (request, reply) => {
    if (request.staff) {
      await recordAudit(
        app.db,
        { actor: staffActor(request.staff), action: 'sign-out', ip: request.ip },
        app.now(),
      );
    }
    await endSession(app.db, app.config, request, reply);
    return reply.redirect('/sign-in?signed-out=1', 303);
  });
};

export default auth;
