import type { FastifyPluginAsync } from 'fastify';
import { findApplicationName } from '../../repositories/application-names.js';
import { findTicketRow } from '../../repositories/ticket-lists.js';
import { cleanHost, cleanPath } from '../../tickets/opened-from.js';
import { helpBookmarklet, helpButtonTag } from '../../web/help/button-asset.js';
import { HELP_LAYOUT } from '../../web/help/created.js';
import { viewerOf } from '../../web/signed-in.js';
import { loadNewTicketWindow } from '../../web/tickets/new-ticket-window.js';
import { idParam } from '../params.js';

/** How long the "Ticket #N created" window stays before it closes itself. */
export const CLOSE_AFTER_SECONDS = 8;

/**
 * The Help button for the agency's other web applications: the ticket window
 * in a small window of its own, its "created" page, and the Profile page that
 * hands out the bookmarklet and the snippet. Signed in (the folder's guard
 * sends a signed-out window through sign-in and back).
 */
const help: FastifyPluginAsync = async (app) => {
  app.get('/help/new', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const host = cleanHost(query.host);
    if (!host) {
      return reply.code(400).page(
        'help/refused',
        {
          title: 'Help link not valid',
          message:
            'This Help link does not say which application it came from. Open hushdesk and use its Help button, or ask an administrator for a new Help bookmark.',
        },
        { layout: HELP_LAYOUT },
      );
    }
    const path = cleanPath(query.path) ?? '/';
    // Only the canonical address stays in the window's history: anything else
    // in the query (or an uncleaned path) is dropped by a redirect to it.
    const canonical = `/help/new?${new URLSearchParams({ host, path })}`;
    if (request.url !== canonical) return reply.redirect(canonical, 303);
    const data = await loadNewTicketWindow(app, request, { host, path });
    return reply.page(
      'help/window',
      { ...data, applicationName: await findApplicationName(app.db, host) },
      { layout: HELP_LAYOUT },
    );
  });

  app.get('/help/tickets/:id/created', async (request, reply) => {
    const id = idParam(request);
    const ticket = id === null ? undefined : await findTicketRow(app.db, id, viewerOf(request));
    if (!ticket) return reply.callNotFound();
    return reply.page(
      'help/created',
      { title: `Ticket #${ticket.id} created`, ticket, closeAfter: CLOSE_AFTER_SECONDS },
      { layout: HELP_LAYOUT },
    );
  });

  app.get('/profile/help-button', async (_request, reply) =>
    reply.page('help/profile', {
      title: 'Help in other applications',
      bookmarklet: helpBookmarklet(app.config.baseUrl),
      scriptTag: helpButtonTag(app.config.baseUrl, app.helpButton),
      integrity: app.helpButton.integrity,
    }),
  );
};

export default help;
