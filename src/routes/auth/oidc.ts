import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { clearCookie } from '../../auth/cookies.js';
import { openIdClient, reason } from '../../auth/oidc/client.js';
import { CALLBACK_PATH, loadEnabledSso, postLogoutUrl } from '../../auth/oidc/settings.js';
import { beginSsoSignIn, finishSsoSignIn, matchStaff } from '../../auth/oidc/sign-in.js';
import {
  endSessionHintCookieName,
  readEndSessionHint,
  saveEndSessionHint,
  saveTransaction,
  takeTransaction,
} from '../../auth/oidc/transaction.js';
import { ssoSignInView } from '../../auth/oidc/view.js';
import { startSession } from '../../auth/sessions.js';
import { formToken, safeReturnPath } from '../../decorators/auth.js';
import { type AuditActor, recordAudit, staffActor } from '../../repositories/audit.js';
import { markSsoSession } from '../../repositories/sso.js';

/** What a refused person reads; the audit log says more, for the administrator. */
const REFUSALS = {
  'no-account': 'You do not have a hushdesk account yet: ask your administrator to add you.',
  deactivated: 'Your hushdesk account is deactivated. Ask your administrator if you need it again.',
  unverified:
    'Your provider did not confirm your email address, so hushdesk cannot tell who you are. Ask your administrator.',
  ambiguous:
    'hushdesk cannot tell which account is yours from that email address. Ask your administrator.',
} as const;

/**
 * Sign-in through the agency's OpenID Connect provider: the button posts here,
 * the browser goes to the provider, and comes back to the callback. Public
 * routes: the way in, like /sign-in.
 */
const oidcRoutes: FastifyPluginAsync = async (app) => {
  async function signInPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    error: string,
    next = '/',
  ) {
    return reply.code(status).page('auth/sign-in', {
      formToken: formToken(request, reply),
      next,
      username: '',
      error,
      ended: false,
      ...(await ssoSignInView(app, request)),
    });
  }

  async function audit(request: FastifyRequest, actor: AuditActor, action: string, detail: string) {
    await recordAudit(app.db, { actor, action, detail, ip: request.ip }, app.now());
  }

  /**
   * The provider's answer at the callback: the sign-in this browser began and
   * who the provider says it is. On any failure the audit row is written, the
   * sign-in page sent, and null returned.
   */
  async function readProviderAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    settings: NonNullable<Awaited<ReturnType<typeof loadEnabledSso>>>,
    unknown: AuditActor,
  ) {
    const transaction = takeTransaction(request, reply, app.config, app.phi, app.now());
    if (!transaction) {
      await audit(request, unknown, 'sso-sign-in-failed', 'no sign-in in progress, or it expired');
      await signInPage(
        request,
        reply,
        400,
        'That sign-in took too long or was begun in another browser. Try again.',
      );
      return null;
    }
    const query = request.query as Record<string, unknown>;
    if (typeof query.error === 'string') {
      // The provider said no (the person cancelled, or is not allowed to use hushdesk there).
      await audit(
        request,
        unknown,
        'sso-sign-in-failed',
        `provider answered ${query.error.slice(0, 60)}`,
      );
      await signInPage(
        request,
        reply,
        401,
        `${settings.name} did not sign you in.`,
        transaction.next,
      );
      return null;
    }
    let identity: Awaited<ReturnType<typeof finishSsoSignIn>>;
    try {
      identity = await finishSsoSignIn(app.sso, app.config, settings, request.url, transaction);
    } catch (error) {
      await audit(request, unknown, 'sso-sign-in-failed', reason(error).slice(0, 200));
      await signInPage(
        request,
        reply,
        401,
        `Sign-in through ${settings.name} did not work. Try again; if it keeps failing, tell your administrator.`,
        transaction.next,
      );
      return null;
    }
    return { identity, transaction };
  }

  // A link, not a form: the page's CSP allows forms to post only to hushdesk
  // (form-action 'self'), and browsers apply that to the redirect to the
  // provider too. Starting changes nothing on the server; the callback is what
  // must be protected, and state bound to this browser's cookie protects it.
  app.get('/sign-in/sso', async (request, reply) => {
    const next = safeReturnPath((request.query as Record<string, unknown>).next);
    if (request.staff) return reply.redirect(next, 303);
    const settings = await loadEnabledSso(app.db, app.config, app.phi);
    if (!settings) return signInPage(request, reply, 404, 'Single sign-on is not turned on.', next);
    let begun: Awaited<ReturnType<typeof beginSsoSignIn>>;
    try {
      begun = await beginSsoSignIn(app.sso, app.config, settings, next, app.now());
    } catch (error) {
      request.log.warn({ sso: reason(error) }, 'single sign-on provider unavailable');
      return signInPage(
        request,
        reply,
        503,
        `${settings.name} did not answer. Try again in a minute, or tell your administrator.`,
        next,
      );
    }
    saveTransaction(reply, app.config, app.phi, begun.transaction);
    return reply.redirect(begun.url.href, 303);
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    const settings = await loadEnabledSso(app.db, app.config, app.phi);
    if (!settings) return signInPage(request, reply, 404, 'Single sign-on is not turned on.');
    const unknown = { label: `${settings.name} sign-in` };
    const answer = await readProviderAnswer(request, reply, settings, unknown);
    if (!answer) return reply;
    const { identity, transaction } = answer;
    const result = await matchStaff(app.db, settings, identity, app.now());
    if (result.kind === 'refused') {
      // The email of someone without an account helps the administrator add them; it is no PHI.
      const who = result.staff ? staffActor(result.staff) : unknown;
      const detail =
        result.reason === 'no-account' ? `no account for ${identity.email}` : result.reason;
      await audit(request, who, 'sso-sign-in-refused', detail);
      return signInPage(request, reply, 403, REFUSALS[result.reason], transaction.next);
    }
    const { staff } = result;
    const actor = staffActor(staff);
    if (result.how === 'created') {
      await audit(
        request,
        actor,
        'staff-added',
        `account made at first sign-in through ${settings.name}`,
      );
    }
    const sessionId = await startSession(
      app.db,
      app.config,
      reply,
      staff.id,
      request.ip,
      app.now(),
    );
    await markSsoSession(app.db, sessionId);
    if (identity.idToken) saveEndSessionHint(reply, app.config, app.phi, identity.idToken);
    await audit(request, actor, 'sign-in', `through ${settings.name}`);
    return reply.redirect(transaction.next, 303);
  });

  // Offered on the sign-in page right after signing out of a session begun at
  // the provider. A link for the same reason as /sign-in/sso: it ends nothing of
  // ours and only forgets this browser's hint.
  app.get('/sign-out/sso', async (request, reply) => {
    const hint = readEndSessionHint(request, app.config, app.phi);
    clearCookie(reply, app.config, endSessionHintCookieName(app.config));
    const settings = await loadEnabledSso(app.db, app.config, app.phi);
    if (!settings || !hint) return reply.redirect('/sign-in?signed-out=1', 303);
    try {
      const configuration = await app.sso.configuration(settings);
      if (configuration.serverMetadata().end_session_endpoint) {
        const url = (await openIdClient()).buildEndSessionUrl(configuration, {
          id_token_hint: hint,
          post_logout_redirect_uri: postLogoutUrl(app.config),
        });
        return reply.redirect(url.href, 303);
      }
    } catch (error) {
      request.log.warn({ sso: reason(error) }, 'single sign-on provider unavailable');
    }
    return reply.redirect('/sign-in?signed-out=1', 303);
  });
};

export default oidcRoutes;
