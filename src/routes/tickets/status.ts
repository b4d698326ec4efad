import type { FastifyPluginAsync } from 'fastify';
import { safeReturnPath } from '../../decorators/auth.js';
import { isHtmx } from '../../decorators/render.js';
import { findTicketRow } from '../../repositories/ticket-lists.js';
import { isStatus, STATUSES } from '../../tickets/model.js';
import { flagTicket } from '../../tickets/row-flags.js';
import { todayOf } from '../../web/agency-today.js';
import { viewerOf } from '../../web/signed-in.js';
import { saveOneField } from '../../web/tickets/save-one-field.js';
import { ticketOf } from '../../web/visible-ticket.js';
import { versionField } from '../params.js';

/** Inline status change from a list row: htmx re-renders the row, otherwise back to the same list. */
const status: FastifyPluginAsync = async (app) => {
  app.post('/tickets/:id/status', async (request, reply) => {
    const ticket = ticketOf(request);
    const body = request.body as Record<string, unknown>;
    const back = safeReturnPath(body.return);
    // The row form always sends the version it showed, so a stale row is refused; a
    // client that sends none (the API, the benchmark) applies to the ticket as it is.
    const version = body.version === undefined ? ticket.version : versionField(body.version);
    let message: string | null = null;
    if (!isStatus(body.status)) {
      message = 'Choose a status from the list.';
      reply.code(422);
    } else {
      const result = await saveOneField(app, request, ticket, { status: body.status }, version);
      if (result.kind === 'conflict') {
        message =
          'Someone changed this ticket meanwhile: open it to see what changed, then try again.';
        reply.code(409);
      }
    }

    if (!isHtmx(request)) {
      if (message) {
        return reply.page('error', { title: 'The status was not changed', message });
      }
      const [path, query] = back.split('?');
      return reply.redirect(`${path}${query ? `?${query}` : ''}#ticket-${ticket.id}`, 303);
    }
    const row = await findTicketRow(app.db, ticket.id, viewerOf(request));
    if (!row) return reply.callNotFound();
    return reply.page(
      'tickets/_row',
      {
        row,
        flags: flagTicket(row, todayOf(app), app.now()),
        returnTo: back,
        rowMessage: message,
        rowSaved: message === null,
        statuses: STATUSES,
      },
      { fragment: 'tickets/_row' },
    );
  });
};

export default status;
