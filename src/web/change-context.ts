import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChangeContext } from '../change-context.js';
import { signedIn } from './signed-in.js';

/** The change context of a signed-in request, read from the app's clock and config. */
export function buildChangeContext(app: FastifyInstance, request: FastifyRequest): ChangeContext {
  const { id, name, username } = signedIn(request);
  return {
    actor: { id, name, username },
    ip: request.ip,
    now: app.now(),
    baseUrl: app.config.baseUrl,
  };
}

/** Builds the change context once per signed-in request, before its handler runs. */
export function addChangeContext(app: FastifyInstance): void {
  app.decorateRequest('change', null);
  app.addHook('preHandler', async (request) => {
    request.change = buildChangeContext(app, request);
  });
}

/** The change context the signed-in routes' hook built for this request. */
export function changeOf(request: FastifyRequest): ChangeContext {
  if (!request.change) throw new Error('route registered without the change-context hook');
  return request.change;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is changing what, built once per signed-in request by `addChangeContext`. */
    change: ChangeContext | null;
  }
}
