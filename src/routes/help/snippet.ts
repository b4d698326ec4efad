import fp from 'fastify-plugin';
import { type HelpButtonAsset, loadHelpButton } from '../../web/help/button-asset.js';

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Serves the Help button snippet to the agency's other applications: anyone
 * may load it (it holds no data), from any origin (CORS, so Subresource
 * Integrity can check it), cached for a year (its address changes with it).
 */
export default fp(async (app) => {
  const asset = loadHelpButton();
  app.decorate('helpButton', asset);
  app.get(asset.path, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(asset.body),
  );
});

declare module 'fastify' {
  interface FastifyInstance {
    /** The Help button snippet, read and hashed at start-up. */
    helpButton: HelpButtonAsset;
  }
}
