import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { summarizeOutboxQueue } from '../repositories/outbox.js';

/**
 * For load balancers and monitors: no sign-in, no personal data, just whether
 * the store answers and how the mail queue stands.
 */
const health: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.db);
      const queue = await summarizeOutboxQueue(app.db);
      const oldest = queue.oldestCreatedAt ? Date.parse(queue.oldestCreatedAt) : null;
      return {
        status: 'ok',
        outbox: {
          queued: queue.waiting,
          oldestQueuedSeconds:
            oldest === null ? 0 : Math.max(0, Math.floor((app.now().getTime() - oldest) / 1000)),
        },
      };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
};

export default health;
