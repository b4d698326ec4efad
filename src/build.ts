import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
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

/**
 * hushdesk's routes declare no schemas (forms are read field by field, the API
 * checks its JSON by hand), so Fastify's schema compilers, ajv and
 * fast-json-stringify, would only be loaded at start-up to sit unused: about
 * 100 ms of module loading. A route that declares one fails at start-up here.
 */
function noSchemaCompiler(): never {
  throw new Error(
    'hushdesk routes declare no Fastify schemas; validate in the handler (see src/build.ts)',
  );
}

/** Creates Fastify with hushdesk registered: the server and the tests both come through here. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: loggerOptions(options.config),
    // One line per request, written when it is answered, instead of Fastify's
    // two (on arrival and on answer): the request log stays, at half the cost.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.config.trustProxy,
    schemaController: {
      compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler },
    },
  });
  fastify.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  await fastify.register(app, options);
  await fastify.ready();
  return fastify;
}
