import type { FastifyPluginAsync } from 'fastify';
import { findVisibleTicket } from '../../repositories/tickets.js';
import { viewerOf } from '../../web/signed-in.js';
import { idParam } from '../params.js';
import associated from './associated.js';
import attachments from './attachments.js';
import escalation from './escalation.js';
import notes from './notes.js';
import page from './page.js';
import related from './related.js';
import status from './status.js';

/**
 * Every route under /tickets/:id. The hook loads the ticket once, visible to
 * the person, before any handler runs: a ticket they may not see answers the
 * same 404 as one that does not exist, so no handler can forget the check.
 */
const oneTicket: FastifyPluginAsync = async (app) => {
  app.decorateRequest('ticket', null);
  app.addHook('preHandler', async (request, reply) => {
    const id = idParam(request);
    const ticket =
      id === null ? undefined : await findVisibleTicket(app.db, app.phi, id, viewerOf(request));
    if (!ticket) return reply.callNotFound();
    request.ticket = ticket;
  });

  await app.register(page);
  await app.register(status);
  await app.register(notes);
  await app.register(escalation);
  await app.register(associated);
  await app.register(related);
  await app.register(attachments);
};

export default oneTicket;
