import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { type AnsweredRequest, buildRegistry } from './registry.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Requests counted before prom-client is loaded; more are not (a burst in the first seconds). */
const EARLY_REQUESTS = 10_000;
const LOAD_AFTER_LISTEN_MS = 2_000;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Who may read /metrics: a request straight from this machine (no proxy
 * header: a reverse proxy on loopback would otherwise open it to the world),
 * or one bearing METRICS_TOKEN. "refused" when a token is given and wrong.
 */
export function metricsAccess(
  request: FastifyRequest,
  token: string | null,
): 'allowed' | 'refused' | 'not-local' {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const given = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (token && given && timingSafeEqual(digest(given), digest(token))) return 'allowed';
    return 'refused';
  }
  const proxied = request.headers['x-forwarded-for'] ?? request.headers.forwarded;
  const peer = request.socket.remoteAddress ?? '';
  return !proxied && LOOPBACK.has(peer) ? 'allowed' : 'not-local';
}

/**
 * GET /metrics in the Prometheus text format. Labels are route patterns
 * (`/tickets/:number`), methods and status codes only: never a path as
 * typed, a title, a name or anything from a ticket.
 */
export default fp(
  async (app) => {
    // prom-client takes a twentieth of start-up to load: it is loaded once the
    // server listens (or at the first /metrics), and the requests answered
    // before then are counted from a short list.
    const early: AnsweredRequest[] = [];
    let observe = (answered: AnsweredRequest) => {
      if (early.length < EARLY_REQUESTS) early.push(answered);
    };
    let loading: Promise<Registry> | null = null;
    const load = () => {
      loading ??= import('prom-client').then(
        (prom) => {
          const built = buildRegistry(prom, app);
          for (const answered of early.splice(0)) built.observe(answered);
          observe = built.observe;
          return built.registry;
        },
        (error: unknown) => {
          // Tried again at the next /metrics, which says what went wrong.
          loading = null;
          throw error;
        },
      );
      return loading;
    };
    app.addHook('onListen', async () => {
      setTimeout(() => load().catch(() => {}), LOAD_AFTER_LISTEN_MS).unref();
    });

    app.addHook('onResponse', async (request, reply) => {
      observe({
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
    });

    app.get('/metrics', async (request, reply) => {
      const access = metricsAccess(request, app.config.metricsToken);
      if (access === 'refused') {
        return reply.code(401).type('text/plain').send('The bearer token is not METRICS_TOKEN.\n');
      }
      if (access === 'not-local') {
        return reply
          .code(403)
          .type('text/plain')
          .send('Metrics are served to this machine only, or with METRICS_TOKEN.\n');
      }
      const registry = await load();
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'metrics' },
);
