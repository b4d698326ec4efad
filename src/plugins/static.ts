import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { ROOT } from '../root.js';

/**
 * A request for one of the files served here: it needs neither a session nor the
 * agency's settings, so the hooks that read those skip it.
 */
export function isAssetRequest(url: string): boolean {
  return url.startsWith('/static/') || url.startsWith('/vendor/');
}

/** Our own assets, and htmx served from its npm package: no CDN ever sees a page load. */
export default fp(async (app) => {
  await app.register(fastifyStatic, {
    root: join(ROOT, 'public'),
    prefix: '/static/',
    maxAge: '1h',
  });
  await app.register(fastifyStatic, {
    root: join(ROOT, 'node_modules', 'htmx.org', 'dist'),
    prefix: '/vendor/htmx/',
    decorateReply: false,
    allowedPath: (path) => path === '/htmx.min.js' || path === '/htmx.min.js.map',
    maxAge: '1d',
  });
});
