import type { FastifyPluginAsync } from 'fastify';
import create from './create.js';
import lists from './lists.js';
import oneTicket from './one-ticket.js';
import similar from './similar.js';

/** Every ticket route; those that name a ticket sit behind one visibility hook. */
const tickets: FastifyPluginAsync = async (app) => {
  await app.register(lists);
  await app.register(create);
  await app.register(similar);
  await app.register(oneTicket);
};

export default tickets;
