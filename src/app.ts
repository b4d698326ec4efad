import type { FastifyError, FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { requireTwoFactorEnrolment } from './auth/two-factor.js';
import type { Config } from './config.js';
import type { Db } from './db/index.js';
import agency, { agencyTimeZone } from './decorators/agency.js';
import auth, { requireSignIn } from './decorators/auth.js';
import db from './decorators/db.js';
import housekeeping from './decorators/housekeeping.js';
import outbox, { type OutboxOptions } from './decorators/outbox.js';
import phi from './decorators/phi.js';
import render, { isHtmx } from './decorators/render.js';
import sso from './decorators/sso.js';
import metrics from './metrics/index.js';
import requestsSeen from './ops/requests-seen.js';
import forms from './plugins/forms.js';
import multipart from './plugins/multipart.js';
import securityHeaders from './plugins/security-headers.js';
import staticFiles from './plugins/static.js';
import view from './plugins/view.js';
import { ensureReportCalendar } from './reports/calendar.js';
import api from './routes/api/index.js';
import auditRoutes from './routes/audit/index.js';
import authRoutes from './routes/auth/index.js';
import oidcRoutes from './routes/auth/oidc.js';
import twoFactorSignIn from './routes/auth/two-factor.js';
import health from './routes/health.js';
import help from './routes/help/index.js';
import helpButton from './routes/help/snippet.js';
import outboxRoutes from './routes/outbox/index.js';
import profile from './routes/profile/index.js';
import notificationPreferences from './routes/profile/notifications.js';
import twoFactorProfile from './routes/profile/two-factor.js';
import reportRoutes from './routes/reports/index.js';
import passwordReset from './routes/reset/index.js';
import roles from './routes/roles/index.js';
import sessionRoutes from './routes/session/index.js';
import apiTokens from './routes/settings/api-tokens.js';
import applicationNames from './routes/settings/applications.js';
import attachmentSettings from './routes/settings/attachments.js';
import settings from './routes/settings/index.js';
import securitySettings from './routes/settings/security.js';
import signInSettings from './routes/settings/sign-in.js';
import systemSettings from './routes/settings/system.js';
import setup from './routes/setup/index.js';
import staff from './routes/staff/index.js';
import staffPicker from './routes/staff-picker/index.js';
import tickets from './routes/tickets/index.js';
import { limitExternalSupport } from './staff/external.js';
import type { Permission } from './staff/permissions.js';
import { addChangeContext } from './web/change-context.js';

/** One route as registered, for the test that walks them all. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: Permission | undefined;
}

export interface AppOptions {
  config: Config;
  /** The clock; tests pass one they can move. */
  now?: () => Date;
  db?: Db;
  /** The notification worker; tests turn polling off and run passes themselves. */
  outbox?: OutboxOptions;
}

/**
 * hushdesk as one Fastify plugin. The order of registration is the order here:
 * third-party plugins, our decorators, then routes.
 */
const app: FastifyPluginAsync<AppOptions> = async (fastify, options) => {
  fastify.decorate('config', options.config);
  fastify.decorate('now', options.now ?? (() => new Date()));
  collectRoutes(fastify);

  await fastify.register(securityHeaders);
  await fastify.register(forms);
  await fastify.register(multipart);
  await fastify.register(staticFiles);
  await fastify.register(view);

  await fastify.register(db, { db: options.db });
  await fastify.register(agency);
  // The Reports counts' days, before any write files a ticket under one.
  await ensureReportCalendar(fastify.db, agencyTimeZone(fastify), fastify.now());
  await fastify.register(phi);
  await fastify.register(sso);
  await fastify.register(render);
  await fastify.register(auth);
  await fastify.register(outbox, options.outbox ?? {});
  await fastify.register(housekeeping);
  await fastify.register(requestsSeen);

  fastify.addHook('onSend', async (request, reply) => {
    // Signed-in pages may show PHI: never let a browser or proxy keep a copy.
    if (request.staff) reply.header('cache-control', 'no-store');
  });
  installErrorPages(fastify);

  await fastify.register(metrics);
  await fastify.register(health);
  await fastify.register(authRoutes);
  await fastify.register(twoFactorSignIn);
  await fastify.register(oidcRoutes);
  await fastify.register(setup);
  await fastify.register(passwordReset);
  await fastify.register(api);
  await fastify.register(helpButton);
  await fastify.register(async (signedIn) => {
    signedIn.addHook('onRequest', requireSignIn);
    signedIn.addHook('onRequest', limitExternalSupport);
    signedIn.addHook('onRequest', requireTwoFactorEnrolment);
    addChangeContext(signedIn);
    await signedIn.register(tickets);
    await signedIn.register(profile);
    await signedIn.register(staff);
    await signedIn.register(staffPicker);
    await signedIn.register(roles);
    await signedIn.register(outboxRoutes);
    await signedIn.register(notificationPreferences);
    await signedIn.register(settings);
    await signedIn.register(apiTokens);
    await signedIn.register(auditRoutes);
    await signedIn.register(twoFactorProfile);
    await signedIn.register(securitySettings);
    await signedIn.register(reportRoutes);
    await signedIn.register(signInSettings);
    await signedIn.register(help);
    await signedIn.register(applicationNames);
    await signedIn.register(systemSettings);
    await signedIn.register(sessionRoutes);
    await signedIn.register(attachmentSettings);
  });
};

/**
 * Keeps every route as it is registered, so a test can walk the whole table and
 * a route added later is covered without anyone listing it. The options are
 * read when asked for, after folder hooks have added their permission.
 */
function collectRoutes(fastify: FastifyInstance): void {
  const routes: { method: string; url: string; options: RouteOptions }[] = [];
  fastify.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    for (const method of methods) routes.push({ method, url: options.url, options });
  });
  fastify.decorate('routeTable', (): RouteEntry[] =>
    routes.map(({ method, url, options }) => ({
      method,
      url,
      permission: options.config?.permission,
    })),
  );
}

/** One error handler: logs without PHI (no bodies), hides 5xx details, fragment or page. */
function installErrorPages(fastify: FastifyInstance): void {
  fastify.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } });
    }
    const message =
      status >= 500
        ? 'Something went wrong on our side. What you typed may not have been saved; go back and try again.'
        : status === 413
          ? 'That was too large to accept.'
          : 'The request could not be understood.';
    if (request.url.startsWith('/api/')) return reply.code(status).send({ error: message });
    return reply.code(status).page(isHtmx(request) ? 'error-fragment' : 'error', {
      title: status >= 500 ? 'Something went wrong' : 'That did not work',
      message,
    });
  });
  fastify.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith('/api/')) return reply.code(404).send({ error: 'Not found.' });
    return reply.code(404).page(isHtmx(request) ? 'error-fragment' : 'error', {
      title: 'Not found',
      message: 'There is nothing here, or you do not have access to it.',
    });
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with the permission it declares. */
    routeTable(): RouteEntry[];
  }
}

export default fp(app, { name: 'hushdesk' });
