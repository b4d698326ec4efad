import type { FastifyPluginAsync } from 'fastify';
import { findSimilarOpenTickets } from '../../repositories/similar-tickets.js';
import { hitsNeeded, significantWords } from '../../tickets/similar-titles.js';
import { viewerOf } from '../../web/signed-in.js';

/**
 * "Is it one of these?": while a title is typed in the ticket window, up to
 * three open tickets the person may see with similar titles. POST, so the
 * title being typed stays out of URLs and access logs.
 */
const similar: FastifyPluginAsync = async (app) => {
  app.post('/tickets/similar', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const title = typeof body.title === 'string' ? body.title.slice(0, 300) : '';
    const words = significantWords(title);
    const tickets = await findSimilarOpenTickets(app.db, words, {
      viewer: viewerOf(request),
      minHits: hitsNeeded(words),
      limit: 3,
    });
    return reply.page('tickets/_similar', { tickets }, { fragment: 'tickets/_similar' });
  });
};

export default similar;
