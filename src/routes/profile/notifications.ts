import type { FastifyPluginAsync } from 'fastify';
import { sendToSignIn } from '../../decorators/auth.js';
import { isNotificationKind, KIND_LABELS, NOTIFICATION_KINDS } from '../../notifications/kinds.js';
import { listDisabledKinds, setNotificationPreferences } from '../../repositories/notifications.js';

/** Each staff member chooses which notification emails they get; all are on until turned off. */
const notificationPreferences: FastifyPluginAsync = async (app) => {
  app.get('/profile/notifications', async (request, reply) => {
    const staff = request.staff;
    if (!staff) return sendToSignIn(request, reply);
    const disabled = await listDisabledKinds(app.db, staff.id);
    const query = request.query as Record<string, unknown>;
    return reply.page('profile/notifications', {
      title: 'Email notifications',
      kinds: NOTIFICATION_KINDS.map((kind) => ({
        kind,
        label: KIND_LABELS[kind],
        enabled: !disabled.has(kind),
      })),
      saved: query.saved === '1',
    });
  });

  app.post('/profile/notifications', async (request, reply) => {
    const staff = request.staff;
    if (!staff) return sendToSignIn(request, reply);
    const body = request.body as Record<string, unknown>;
    const checked = Array.isArray(body.kinds) ? body.kinds : [body.kinds];
    const enabled = new Set(checked.filter(isNotificationKind));
    await setNotificationPreferences(
      app.db,
      staff.id,
      { kinds: NOTIFICATION_KINDS, enabled },
      app.now(),
    );
    return reply.redirect('/profile/notifications?saved=1', 303);
  });
};

export default notificationPreferences;
