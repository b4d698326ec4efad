import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { auditChange } from '../../change-context.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import {
  listApplicationNames,
  replaceApplicationNames,
} from '../../repositories/application-names.js';
import { formatApplicationNames, parseApplicationNames } from '../../tickets/application-names.js';
import { changeOf } from '../../web/change-context.js';

/**
 * Names for the agency's other web applications (manage_settings), so "Opened
 * from" on tickets filed through the Help bookmarklet or snippet says
 * "Clinical record" rather than a host.
 */
const applicationNames: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');

  const show = (request: FastifyRequest, reply: FastifyReply, text: string, error?: string) =>
    reply.page('settings/applications', {
      title: 'Other applications',
      text,
      error: error ?? null,
      saved: (request.query as Record<string, unknown>).saved === '1',
    });

  app.get('/settings/applications', async (request, reply) =>
    show(request, reply, formatApplicationNames(await listApplicationNames(app.db))),
  );

  app.post('/settings/applications', async (request, reply) => {
    const staff = request.staff;
    if (!staff) return;
    const body = request.body as Record<string, unknown>;
    const text = typeof body.names === 'string' ? body.names.slice(0, 20_000) : '';
    const parsed = parseApplicationNames(text);
    if (parsed.errors.length > 0) {
      return show(request, reply.code(422), text, parsed.errors.join(' '));
    }
    const now = app.now();
    const before = await listApplicationNames(app.db);
    await app.db.transaction().execute(async (trx) => {
      await replaceApplicationNames(trx, parsed.names, staff.id, now);
      await auditChange(trx, changeOf(request), {
        action: 'setting-changed',
        detail: `application_names: ${before.length} → ${parsed.names.length} named`,
      });
    });
    return reply.redirect('/settings/applications?saved=1', 303);
  });
};

export default applicationNames;
