import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  issueApiToken,
  TokenNameTakenError,
  validateTokenName,
  withdrawApiToken,
} from '../../api/tokens.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { text } from '../../forms/fields.js';
import { findApiTokenById, listApiTokens } from '../../repositories/api-tokens.js';
import { changeOf } from '../../web/change-context.js';
import { idParam } from '../params.js';

/** Administrators make, see and revoke the automation API's tokens. */
const apiTokens: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_api_tokens');

  const list = async (reply: FastifyReply, form: { name: string; error?: string }, code = 200) => {
    const query = reply.request.query as Record<string, unknown>;
    return reply.code(code).page('settings/api-tokens', {
      title: 'API tokens',
      tokens: await listApiTokens(app.db),
      form,
      revoked: query.revoked === '1',
      apiUrl: `${app.config.baseUrl}/api/v1/tickets`,
      openApiUrl: `${app.config.baseUrl}/api/v1/openapi.json`,
    });
  };

  app.get('/settings/api-tokens', async (_request, reply) => list(reply, { name: '' }));

  // The token is in this answer and nowhere else: the page is not cached (no-store).
  app.post('/settings/api-tokens', async (request, reply) => {
    const name = text((request.body as Record<string, unknown>).name);
    const problem = validateTokenName(name);
    if (problem) return list(reply, { name, error: problem }, 422);
    try {
      const { token } = await issueApiToken(app.db, { name, change: changeOf(request) });
      return reply.page('settings/api-token-created', {
        title: `API token ${name}`,
        name,
        token,
        apiUrl: `${app.config.baseUrl}/api/v1/tickets`,
      });
    } catch (error) {
      if (!(error instanceof TokenNameTakenError)) throw error;
      return list(reply, { name, error: error.message }, 422);
    }
  });

  app.get('/settings/api-tokens/:id/revoke', async (request, reply) => {
    const id = idParam(request);
    const token = id === null ? undefined : await findApiTokenById(app.db, id);
    if (!token) return reply.callNotFound();
    if (token.revoked_at) return reply.redirect('/settings/api-tokens', 303);
    return reply.page('settings/api-token-revoke', { title: `Revoke ${token.name}`, token });
  });

  app.post('/settings/api-tokens/:id/revoke', async (request, reply) => {
    const id = idParam(request);
    const token = id === null ? undefined : await findApiTokenById(app.db, id);
    if (!token) return reply.callNotFound();
    await withdrawApiToken(app.db, { id: token.id, change: changeOf(request) });
    return reply.redirect('/settings/api-tokens?revoked=1', 303);
  });
};

export default apiTokens;
