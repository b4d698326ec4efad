import fp from 'fastify-plugin';
import { getRequestsSeen, type RequestsSeen, saveRequestsSeen } from '../repositories/ops.js';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const HOUR = 3_600_000;

/**
 * Notes whether requests reach hushdesk through a proxy (X-Forwarded-For) or
 * straight from another machine, so the doctor can tell whether TRUST_PROXY
 * fits. Written to the store when a kind is first seen, then at most hourly:
 * never a write per request.
 */
export default fp(
  async (app) => {
    let seen: RequestsSeen = await getRequestsSeen(app.db);
    let saving = false;
    app.addHook('onRequest', async (request) => {
      const forwarded = request.headers['x-forwarded-for'] !== undefined;
      const peer = request.socket.remoteAddress ?? '';
      if (!forwarded && LOOPBACK.test(peer)) return;
      const key = forwarded ? 'forwardedAt' : 'directAt';
      const now = app.now();
      const last = seen[key];
      if (saving || (last && now.getTime() - Date.parse(last) < HOUR)) return;
      seen = { ...seen, [key]: now.toISOString() };
      saving = true;
      try {
        await saveRequestsSeen(app.db, seen, now);
      } finally {
        saving = false;
      }
    });
  },
  { name: 'requests-seen' },
);
