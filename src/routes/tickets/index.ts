import type { FastifyPluginAsync } from 'fastify';
import { buildChangeContext } from '../../web/change-context.js';
import create from './create.js';
import lists from './lists.js';
import oneTicket from './one-ticket.js';
import similar from './similar.js';

/** Every ticket route; those that name a ticket sit behind one visibility hook. */
const tickets: FastifyPluginAsync = async (app) => {
  // Who is changing what, once per request, for every service a handler calls.
  app.decorateRequest('change', null);
  app.addHook('preHandler', async (request) => {
    request.change = buildChangeContext(app, request);
  });
  await app.register(lists);
  await app.register(create);
  await app.register(similar);
  await app.register(oneTicket);
};

export default tickets;
