import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { auditChange } from '../../change-context.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import type { FieldErrors } from '../../forms/fields.js';
import {
  getSecuritySettings,
  MAX_AUDIT_RETENTION_YEARS,
  MIN_AUDIT_RETENTION_YEARS,
} from '../../repositories/security-settings.js';
import { setSetting } from '../../repositories/settings.js';
import { hasConfirmedTwoFactor } from '../../repositories/two-factor.js';
import {
  readSecurityForm,
  type SecurityField,
  type SecurityForm,
  securityChanges,
  validateSecurityForm,
} from '../../settings/security.js';
import { changeOf } from '../../web/change-context.js';

/**
 * Security settings (manage_settings): require a second factor for everyone,
 * the agency's own client/record number formats for the title guard, and how
 * long the audit log is kept. Every change is validated, audited and shown
 * back. /settings itself belongs to the settings page.
 */
const securitySettings: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    values: SecurityForm,
    errors: FieldErrors<SecurityField>,
  ) {
    const staff = request.staff;
    return reply.page('settings/security', {
      title: 'Security settings',
      values,
      errors,
      saved: (request.query as Record<string, unknown>).saved === '1',
      minYears: MIN_AUDIT_RETENTION_YEARS,
      maxYears: MAX_AUDIT_RETENTION_YEARS,
      selfEnrolled: staff ? await hasConfirmedTwoFactor(app.db, staff.id) : false,
    });
  }

  app.get('/settings/security', async (request, reply) => {
    const current = await getSecuritySettings(app.db);
    return show(
      request,
      reply,
      {
        requireTwoFactor: current.requireTwoFactor,
        titlePatterns: current.titlePatterns.join('\n'),
        auditRetentionYears: String(current.auditRetentionYears),
      },
      {},
    );
  });

  app.post('/settings/security', async (request, reply) => {
    const staff = request.staff;
    if (!staff) return;
    const form = readSecurityForm(request.body as Record<string, unknown>);
    const checked = validateSecurityForm(form);
    if ('errors' in checked) return show(request, reply.code(422), form, checked.errors);

    const changes = securityChanges(await getSecuritySettings(app.db), checked.settings);
    const now = app.now();
    await app.db.transaction().execute(async (trx) => {
      for (const change of changes) {
        await setSetting(trx, change.key, change.value, staff.id, now);
        await auditChange(trx, changeOf(request), {
          action: 'setting-changed',
          detail: change.detail,
        });
      }
    });
    return reply.redirect('/settings/security?saved=1', 303);
  });
};

export default securitySettings;
