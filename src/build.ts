import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import app, { type AppOptions } from './app.js';
import type { Config } from './config.js';

/**
 * Logs carry no passwords, cookies, tokens or bodies (Fastify never logs
 * bodies), and paths only: query strings and link tokens are cut off.
 */
export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  return {
    level: config.logLevel,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'],
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        method: req.method,
        path: redactPath(req.url),
        remoteAddress: req.ip,
      }),
    },
  };
}

export function redactPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/^\/(setup|reset)\/[^/]+/, '/$1/[token]');
}

/** Creates Fastify with hushdesk registered: the server and the tests both come through here. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: loggerOptions(options.config),
    trustProxy: options.config.trustProxy,
  });
  await fastify.register(app, options);
  await fastify.ready();
  return fastify;
}
