import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isMultipart, readMultipartForm, uploadsOf } from '../../attachments/upload.js';
import { recordAudit } from '../../repositories/audit.js';
import { findTicketCreatedBy } from '../../repositories/automation.js';
import { attachFilesIn } from '../../tickets/attachments.js';
import { type AutomationIdentity, tokenActor } from '../../tickets/automation.js';

const reply = (r: FastifyReply, code: number, body: object) =>
  r.code(code).header('cache-control', 'no-store').send(body);

const identityOf = (request: FastifyRequest): AutomationIdentity => {
  if (!request.automation) throw new Error('API route without its token check');
  return request.automation;
};

/**
 * POST /api/v1/tickets/{number}/attachments: files for a ticket the token
 * created, in the multipart field `files`, with the same limits, checks and
 * encryption as the ticket page. The ticket is found before the body is read;
 * registered inside the bearer-token scope (no cookie, so no CSRF token).
 */
const apiAttachments: FastifyPluginAsync = async (app) => {
  app.decorateRequest('apiTicketId', null);
  app.post(
    '/api/v1/tickets/:number/attachments',
    {
      config: { multipart: true },
      preHandler: async (request, r) => {
        const identity = identityOf(request);
        const raw = (request.params as { number?: string }).number ?? '';
        const number = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
        const ticket =
          number === null ? undefined : await findTicketCreatedBy(app.db, number, identity.staffId);
        if (!ticket) {
          await recordAudit(
            app.db,
            {
              actor: tokenActor(identity),
              action: 'api-ticket-not-found',
              detail: `asked to attach to ticket ${raw.slice(0, 20)}`,
              ip: request.ip,
            },
            app.now(),
          );
          return reply(r, 404, { error: 'Not found.' });
        }
        if (!isMultipart(request)) {
          return reply(r, 415, {
            error: 'Send the files as multipart/form-data, in the field "files".',
          });
        }
        request.apiTicketId = ticket.id;
        await readMultipartForm(request, r, { phi: app.phi, csrfToken: null, ticketId: ticket.id });
      },
    },
    async (request, r) => {
      const identity = identityOf(request);
      const ticketId = request.apiTicketId as number;
      const uploads = uploadsOf(request);
      const problem =
        uploads.problem ??
        (uploads.files.length === 0 ? 'Send at least one file in the field "files".' : null);
      if (problem) return reply(r, 422, { errors: { files: problem } });
      const now = app.now();
      await app.db.transaction().execute((trx) =>
        attachFilesIn(trx, {
          ticketId,
          noteId: null,
          files: uploads.files,
          change: {
            actor: { id: identity.staffId, name: identity.staffName, username: '' },
            ip: request.ip,
            now,
            baseUrl: app.config.baseUrl,
          },
          auditActor: tokenActor(identity),
        }),
      );
      return reply(r, 201, { number: ticketId, files: uploads.files.length });
    },
  );
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The ticket an API upload goes to, found before its body is read. */
    apiTicketId: number | null;
  }
}

export default apiAttachments;
