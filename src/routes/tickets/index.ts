import type { FastifyPluginAsync } from 'fastify';
import associated from './associated.js';
import create from './create.js';
import escalation from './escalation.js';
import lists from './lists.js';
import notes from './notes.js';
import page from './page.js';
import status from './status.js';

/** Every ticket route. Each one that names a ticket checks visibility and answers 404 otherwise. */
const tickets: FastifyPluginAsync = async (app) => {
  await app.register(lists);
  await app.register(create);
  await app.register(page);
  await app.register(status);
  await app.register(notes);
  await app.register(escalation);
  await app.register(associated);
};

export default tickets;
