import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignedInStaff } from '../types.js';

/** Accounts of the outside support desk (built-in role key 'external'). */
export function isExternalSupport(staff: Pick<SignedInStaff, 'roleKey'> | null): boolean {
  return staff?.roleKey === 'external';
}

/**
 * The signed-in routes External support may use: their list of tickets sent to
 * the desk, those tickets (status and notes only; visibility answers 404 for the
 * rest) and their own profile, two-step sign-in included: these accounts read
 * PHI from outside the agency, so they must be able to turn it on, and the
 * agency's "require it for everyone" must be able to reach them. Every other route answers 403 to them, including
 * routes added later that declare no permission (a staff search, say): the desk
 * is outside the agency and sees nothing it was not sent.
 */
export const EXTERNAL_ROUTES: ReadonlySet<string> = new Set([
  'GET /',
  'GET /tickets/:id',
  'POST /tickets/:id',
  'POST /tickets/:id/status',
  'POST /tickets/:id/notes',
  'GET /tickets/:id/notes/:noteId/edit',
  'POST /tickets/:id/notes/:noteId',
  'GET /tickets/:id/attachments/:attachmentId',
  'GET /tickets/:id/attachments/:attachmentId/thumbnail',
  'GET /profile',
  'POST /profile/password',
  'GET /profile/notifications',
  'POST /profile/notifications',
  'GET /profile/two-factor',
  'POST /profile/two-factor/start',
  'POST /profile/two-factor/confirm',
  'POST /profile/two-factor/recovery-codes',
  'POST /profile/two-factor/off',
  // The page's own session: the warning before the idle timeout, and signing in again.
  'GET /session',
  'POST /session/keep-alive',
  'GET /session/signed-in',
]);

/** A route as EXTERNAL_ROUTES names it; HEAD is judged as its GET. */
export function routeKey(method: string, url: string | undefined): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url ?? ''}`;
}

/** onRequest guard for the signed-in routes (after requireSignIn). */
export async function limitExternalSupport(request: FastifyRequest, reply: FastifyReply) {
  if (!isExternalSupport(request.staff)) return;
  if (EXTERNAL_ROUTES.has(routeKey(request.method, request.routeOptions.url))) return;
  return reply.code(403).page('error', {
    title: 'Not allowed',
    message: 'External support accounts see only the tickets sent to them.',
  });
}
