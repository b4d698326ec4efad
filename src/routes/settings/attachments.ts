import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  type AttachmentLimits,
  getAttachmentLimits,
  LIMIT_BOUNDS,
  LIMIT_KEYS,
  type LimitsForm,
  readLimitsForm,
  validateLimitsForm,
} from '../../attachments/limits.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import type { FieldErrors } from '../../forms/fields.js';
import { recordAudit, staffActor } from '../../repositories/audit.js';
import { setSetting } from '../../repositories/settings.js';
import { signedIn } from '../../web/signed-in.js';

/** Settings → Attachments (manage_settings): how large files may be, and how many. */
const attachmentSettings: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');

  const show = (
    reply: FastifyReply,
    values: LimitsForm,
    errors: FieldErrors<keyof AttachmentLimits>,
    saved: boolean,
  ) =>
    reply.page('settings/attachments', {
      title: 'Attachment settings',
      values,
      errors,
      saved,
      bounds: LIMIT_BOUNDS,
    });

  app.get('/settings/attachments', async (request, reply) => {
    const limits = await getAttachmentLimits(app.db);
    const values = {
      fileMb: String(limits.fileMb),
      filesPerTicket: String(limits.filesPerTicket),
      ticketMb: String(limits.ticketMb),
    };
    return show(reply, values, {}, (request.query as Record<string, unknown>).saved === '1');
  });

  app.post('/settings/attachments', async (request, reply) => {
    const form = readLimitsForm(request.body as Record<string, unknown>);
    const checked = validateLimitsForm(form);
    if ('errors' in checked) return show(reply.code(422), form, checked.errors, false);
    const me = signedIn(request);
    const now = app.now();
    const before = await getAttachmentLimits(app.db);
    await app.db.transaction().execute(async (trx) => {
      for (const key of Object.keys(LIMIT_KEYS) as (keyof AttachmentLimits)[]) {
        if (before[key] === checked.limits[key]) continue;
        await setSetting(trx, LIMIT_KEYS[key], checked.limits[key], me.id, now);
        await recordAudit(
          trx,
          {
            actor: staffActor(me),
            action: 'setting-changed',
            detail: `${LIMIT_KEYS[key]}: ${before[key]} → ${checked.limits[key]}`,
            ip: request.ip,
          },
          now,
        );
      }
    });
    return reply.redirect('/settings/attachments?saved=1', 303);
  });
};

export default attachmentSettings;
