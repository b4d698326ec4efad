import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';

/** For load balancers and monitors: no sign-in, no data, just whether the store answers. */
const health: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.db);
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
};

export default health;
