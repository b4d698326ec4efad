import type { FastifyPluginAsync } from 'fastify';
import { ssoSignInView } from '../../auth/oidc/view.js';
import { checkPasswordSignIn } from '../../auth/password-sign-in.js';
import { endSession, startSession } from '../../auth/sessions.js';
import { SignInThrottle } from '../../auth/sign-in-throttle.js';
import { beginSecondStep } from '../../auth/two-factor.js';
import { formToken, safeReturnPath } from '../../decorators/auth.js';
import { text } from '../../forms/fields.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import { hasConfirmedTwoFactor } from '../../repositories/two-factor.js';

const auth: FastifyPluginAsync = async (app) => {
  const throttle = new SignInThrottle(app.db);

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
    const again = async (status: number, error: string) =>
      reply.code(status).page('auth/sign-in', {
        formToken: formToken(request, reply),
        next,
        username,
        error,
        ended: false,
        ...(await ssoSignInView(app, request)),
      });
    const checked = await checkPasswordSignIn(app, throttle, {
      username,
      password,
      ip: request.ip,
    });
    if (checked.kind === 'refused') {
      if (checked.retryAfter) reply.header('retry-after', String(checked.retryAfter));
      return again(checked.status, checked.error);
    }
    const { staff } = checked;
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
