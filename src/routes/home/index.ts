import type { FastifyPluginAsync } from 'fastify';

const home: FastifyPluginAsync = async (app) => {
  app.get('/', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return reply.page('home/index', { welcome: query.welcome === '1' });
  });
};

export default home;
