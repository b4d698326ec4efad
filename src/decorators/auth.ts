import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isMultipart } from '../attachments/upload.js';
import { formTokenCookieName, setCookie } from '../auth/cookies.js';
import { safeReturnPath } from '../auth/safe-redirect.js';
import { loadSession } from '../auth/sessions.js';
import { randomToken, tokensMatch } from '../auth/tokens.js';
import { isAssetRequest } from '../plugins/static.js';
import type { Permission } from '../staff/permissions.js';
import { isHtmx } from './render.js';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
// Kept importable from here for the routes that already do.
export { safeReturnPath };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Loads the session on every request and checks the CSRF token on every state
 * change. Signed-in forms use the session's token; the sign-in and setup forms,
 * which come before any session, use a token in a cookie of their own.
 */
export default fp(async (app) => {
  app.decorateRequest('staff', null);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionEnded', false);

  app.addHook('onRequest', async (request) => {
    if (isAssetRequest(request.url)) return;
    // The automation API authenticates by bearer token only: a session cookie
    // sent along is neither read nor kept alive.
    if (request.url.startsWith('/api/')) return;
    const state = await loadSession(app.db, app.config, request, app.now());
    if (state.kind === 'active') {
      request.staff = state.staff;
      request.session = { id: state.sessionId, csrfToken: state.csrfToken };
    } else if (state.kind === 'ended') {
      request.sessionEnded = true;
    }
  });

  // A route that declares a permission gets it checked here, before any of its
  // code runs; the route-table test reads the same declaration.
  app.addHook('onRequest', async (request, reply) => {
    const permission = request.routeOptions.config.permission;
    if (permission) return requirePermission(permission)(request, reply);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config.skipCsrf) return;
    // A multipart form's token is checked as the form is read, before any file (readMultipartForm).
    if (request.routeOptions.config.multipart && isMultipart(request)) return;
    const body = request.body as Record<string, unknown> | undefined;
    const sent = request.headers[CSRF_HEADER] ?? body?.[CSRF_FIELD];
    const expected = request.session?.csrfToken ?? request.cookies[formTokenCookieName(app.config)];
    if (typeof sent !== 'string' || !expected || !tokensMatch(sent, expected)) {
      if (!request.staff && request.sessionEnded) return sendToSignIn(request, reply);
      return reply.code(403).page('error', {
        title: 'This form has expired',
        message: 'The page was open too long or came from somewhere else. Reload it and try again.',
      });
    }
  });
});

/** The token a signed-out form carries, set in its cookie on first sight. */
export function formToken(request: FastifyRequest, reply: FastifyReply): string {
  const name = formTokenCookieName(request.server.config);
  const existing = request.cookies[name];
  if (existing) return existing;
  const token = randomToken();
  setCookie(reply, request.server.config, name, token);
  return token;
}

/** Where a signed-out person goes: full pages to sign-in and back, htmx swaps redirect the page. */
export function sendToSignIn(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.method === 'GET' ? request.url : (request.headers['hx-current-url'] ?? '/');
  const back = safeReturnPath(path, request.server.config.baseUrl);
  const target = back === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(back)}`;
  if (isHtmx(request)) {
    return reply.code(401).header('hx-redirect', target).send();
  }
  if (request.url.startsWith('/api/')) return reply.code(401).send({ error: 'Sign in first.' });
  return reply.redirect(target, 303);
}

/** Guard for a folder of routes: only signed-in staff get through. */
export async function requireSignIn(request: FastifyRequest, reply: FastifyReply) {
  if (!request.staff) return sendToSignIn(request, reply);
}

/** Guard for a permission; hiding a button is never the protection. */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.staff) return sendToSignIn(request, reply);
    if (!request.staff.permissions.has(permission)) {
      return reply.code(403).page('error', {
        title: 'Not allowed',
        message: 'Your role does not include this. Ask an administrator if you need it.',
      });
    }
  };
}

/**
 * Declares a permission for every route a folder registers after this call
 * (call it first). The onRequest hook above enforces it.
 */
export function requirePermissionForAll(folder: FastifyInstance, permission: Permission): void {
  folder.addHook('onRoute', (route) => {
    route.config = { ...route.config, permission };
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs; set per route or with requirePermissionForAll. */
    permission?: Permission;
    /** Routes authenticated some other way (bearer tokens) skip the form token. */
    skipCsrf?: boolean;
  }
}
