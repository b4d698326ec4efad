import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { readMultipartForm, uploadsOf } from '../../attachments/upload.js';
import type { Db } from '../../db/index.js';
import { attachFilesIn } from '../../tickets/attachments.js';
import { changeOf } from '../change-context.js';

/**
 * Route options for a ticket form that may carry files: multipart is read
 * after the person and the ticket were checked (the hooks run first), with
 * the session's CSRF token.
 */
export const ACCEPTS_FILES: RouteShorthandOptions = {
  config: { multipart: true },
  preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.session) return reply.code(403).send();
    return readMultipartForm(request, reply, {
      phi: request.server.phi,
      csrfToken: request.session.csrfToken,
      ticketId: request.ticket?.id ?? null,
    });
  },
};

/** Why the files were refused (a limit), or null. */
export function filesProblemOf(request: FastifyRequest): string | null {
  return uploadsOf(request).problem;
}

/** How many files the form brought to keep. */
export function fileCount(request: FastifyRequest): number {
  return uploadsOf(request).files.length;
}

/** Stores the form's files on the ticket (or its note) in the caller's transaction. */
export async function attachUploadsIn(
  trx: Db,
  request: FastifyRequest,
  where: { ticketId: number; noteId: number | null },
): Promise<void> {
  await attachFilesIn(trx, {
    ...where,
    files: uploadsOf(request).files,
    change: changeOf(request),
  });
}
