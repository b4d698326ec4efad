import multipart from '@fastify/multipart';
import fp from 'fastify-plugin';
import { isMultipart } from '../attachments/upload.js';

/**
 * Multipart forms (files), read only by the routes that declare
 * `config: { multipart: true }`, with their limits (readMultipartForm). The
 * defaults here are the strictest, for anything that reaches the parser
 * otherwise; and a multipart body sent to any other route is refused unread.
 */
export default fp(async (app) => {
  await app.register(multipart, {
    // A file over its limit is marked truncated and the form read on, so every field comes back.
    throwFileSizeLimit: false,
    limits: { fileSize: 0, files: 0, fields: 0, parts: 0, fieldSize: 0, headerPairs: 20 },
  });
  app.decorateRequest('uploads', null);
  app.addHook('preValidation', async (request, reply) => {
    if (isMultipart(request) && !request.routeOptions.config.multipart) {
      return reply.code(415).send({ error: 'This address takes no files.' });
    }
  });
});
