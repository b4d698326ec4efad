import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { secondsLeftInSession } from '../../auth/sessions.js';
import { findSession, touchSession } from '../../repositories/sessions.js';

/**
 * The page's view of its own session, for the warning before the idle timeout
 * (public/js/session.js). Reading it is a background request: it never keeps
 * the session alive; only "Stay signed in" does, by posting.
 */
const session: FastifyPluginAsync = async (app) => {
  const secondsLeft = async (request: FastifyRequest) => {
    const row = await findSession(app.db, request.session?.id ?? '');
    return row ? secondsLeftInSession(row, app.config, app.now()) : 0;
  };

  app.get('/session', async (request, reply) => {
    const staff = request.staff as NonNullable<FastifyRequest['staff']>;
    reply.header('cache-control', 'no-store');
    return {
      staffId: staff.id,
      csrfToken: request.session?.csrfToken,
      secondsLeft: await secondsLeft(request),
    };
  });

  app.post('/session/keep-alive', async (request, reply) => {
    if (request.session) await touchSession(app.db, request.session.id, app.now());
    reply.header('cache-control', 'no-store');
    return { secondsLeft: await secondsLeft(request) };
  });

  // Where the sign-in window lands after a session ended under a page: it tells
  // that page (public/js/session.js) and closes.
  app.get('/session/signed-in', async (_request, reply) =>
    reply.page('session/signed-in', { title: 'Signed in again' }),
  );
};

export default session;
