import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadEnabledSso } from './settings.js';
import { readEndSessionHint } from './transaction.js';

export interface SsoSignInView {
  /** Null when single sign-on is off: the page shows the password form only. */
  sso: { name: string; required: boolean; offerEndSession: boolean } | null;
}

/**
 * What the sign-in page shows of single sign-on: the button, whether password
 * sign-in is for the break-glass administrator only, and, right after signing
 * out of a session begun at the provider, the provider's own sign-out.
 */
export async function ssoSignInView(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<SsoSignInView> {
  const settings = await loadEnabledSso(app.db, app.config, app.phi);
  if (!settings) return { sso: null };
  const query = request.query as Record<string, unknown>;
  let offerEndSession = false;
  if (query['signed-out'] === '1' && readEndSessionHint(request, app.config, app.phi)) {
    try {
      const configuration = await app.sso.configuration(settings);
      offerEndSession = Boolean(configuration.serverMetadata().end_session_endpoint);
    } catch {
      // The provider is unreachable: nothing to offer, the sign-in page still works.
    }
  }
  return { sso: { name: settings.name, required: settings.required, offerEndSession } };
}
