import type { FastifyPluginAsync } from 'fastify';
import { contentDisposition, FILE_HEADERS } from '../../attachments/serve.js';
import { openAttachment } from '../../repositories/attachments.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import { signedIn } from '../../web/signed-in.js';
import { ticketOf } from '../../web/visible-ticket.js';
import { idParam } from '../params.js';

/**
 * A ticket's files, behind the same visibility hook as the ticket: someone
 * who may not see the ticket gets its 404, on the file and on its thumbnail.
 * Every view and download is audited, like a view of the ticket. The name is
 * never in the address (it is PHI); only in the download's header.
 */
const attachments: FastifyPluginAsync = async (app) => {
  for (const part of ['data', 'thumbnail'] as const) {
    const url =
      part === 'data'
        ? '/tickets/:id/attachments/:attachmentId'
        : '/tickets/:id/attachments/:attachmentId/thumbnail';
    app.get(url, async (request, reply) => {
      const ticket = ticketOf(request);
      const attachmentId = idParam(request, 'attachmentId');
      const file =
        attachmentId === null
          ? undefined
          : await openAttachment(app.db, app.phi, ticket.id, attachmentId, part);
      if (!file) return reply.callNotFound();
      const inline = file.kind === 'image';
      await recordAudit(
        app.db,
        {
          actor: staffActor(signedIn(request)),
          action: 'attachment-viewed',
          ticketId: ticket.id,
          detail: `file ${file.id}, ${part === 'thumbnail' ? 'thumbnail' : inline ? 'shown' : 'downloaded'}`,
          ip: request.ip,
        },
        app.now(),
      );
      return reply
        .headers(FILE_HEADERS)
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.name, inline))
        .send(file.bytes);
    });
  }
};

export default attachments;
