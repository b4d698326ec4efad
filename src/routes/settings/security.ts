import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requirePermissionForAll } from '../../decorators/auth.js';
import type { FieldErrors } from '../../forms/fields.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import {
  getSecuritySettings,
  MAX_AUDIT_RETENTION_YEARS,
  MIN_AUDIT_RETENTION_YEARS,
  SECURITY_KEYS,
} from '../../repositories/security-settings.js';
import { setSetting } from '../../repositories/settings.js';
import { hasConfirmedTwoFactor } from '../../repositories/two-factor.js';
import { validateTitlePatterns } from '../../tickets/title-guard.js';

interface FormValues {
  requireTwoFactor: boolean;
  titlePatterns: string;
  auditRetentionYears: string;
}

type Field = 'titlePatterns' | 'auditRetentionYears';

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
    values: FormValues,
    errors: FieldErrors<Field>,
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
    const body = request.body as Record<string, unknown>;
    const values: FormValues = {
      requireTwoFactor: body.require_two_factor === 'on',
      titlePatterns: typeof body.title_patterns === 'string' ? body.title_patterns : '',
      auditRetentionYears:
        typeof body.audit_retention_years === 'string' ? body.audit_retention_years.trim() : '',
    };
    const errors: FieldErrors<Field> = {};
    const patterns = validateTitlePatterns(values.titlePatterns);
    if (patterns.errors.length > 0) errors.titlePatterns = patterns.errors.join(' ');
    const years = Number(values.auditRetentionYears);
    if (
      !/^\d{1,3}$/.test(values.auditRetentionYears) ||
      years < MIN_AUDIT_RETENTION_YEARS ||
      years > MAX_AUDIT_RETENTION_YEARS
    ) {
      errors.auditRetentionYears = `Enter a whole number of years from ${MIN_AUDIT_RETENTION_YEARS} to ${MAX_AUDIT_RETENTION_YEARS}.`;
    }
    if (Object.keys(errors).length > 0) return show(request, reply.code(422), values, errors);

    const current = await getSecuritySettings(app.db);
    const now = app.now();
    const changes: { key: string; value: unknown; detail: string }[] = [];
    if (values.requireTwoFactor !== current.requireTwoFactor) {
      const word = (on: boolean) => (on ? 'on' : 'off');
      changes.push({
        key: SECURITY_KEYS.requireTwoFactor,
        value: values.requireTwoFactor,
        detail: `${SECURITY_KEYS.requireTwoFactor}: ${word(current.requireTwoFactor)} → ${word(values.requireTwoFactor)}`,
      });
    }
    if (patterns.patterns.join('\n') !== current.titlePatterns.join('\n')) {
      changes.push({
        key: SECURITY_KEYS.titlePatterns,
        value: patterns.patterns,
        detail: `${SECURITY_KEYS.titlePatterns}: ${current.titlePatterns.length} → ${patterns.patterns.length} patterns`,
      });
    }
    if (years !== current.auditRetentionYears) {
      changes.push({
        key: SECURITY_KEYS.auditRetentionYears,
        value: years,
        detail: `${SECURITY_KEYS.auditRetentionYears}: ${current.auditRetentionYears} → ${years}`,
      });
    }
    await app.db.transaction().execute(async (trx) => {
      for (const change of changes) {
        await setSetting(trx, change.key, change.value, staff.id, now);
        await recordAudit(
          trx,
          {
            actor: staffActor(staff),
            action: 'setting-changed',
            detail: change.detail,
            ip: request.ip,
          },
          now,
        );
      }
    });
    return reply.redirect('/settings/security?saved=1', 303);
  });
};

export default securitySettings;
