import type { FastifyPluginAsync } from 'fastify';
import { auditChange } from '../../change-context.js';
import { keyFilePath, readKeyFile } from '../../crypto/key.js';
import { agencyTimeZone } from '../../decorators/agency.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { allWell, runDoctor } from '../../ops/doctor.js';
import { summarizeChecks } from '../../ops/doctor-check.js';
import { confirmKeyCopy } from '../../repositories/ops.js';
import { changeOf } from '../../web/change-context.js';

/**
 * Settings → System (manage_settings): the checks `hushdesk doctor` runs, each
 * with what to do, and the button that records a saved copy of the key.
 */
const systemSettings: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');

  app.get('/settings/system', async (request, reply) => {
    const checks = await runDoctor({
      config: app.config,
      db: app.db,
      now: app.now(),
      timeZone: agencyTimeZone(app),
      tzFromEnvironment:
        Boolean(process.env.TZ?.trim()) || agencyTimeZone(app) !== app.config.timeZone,
    });
    return reply.page('settings/system', {
      title: 'System',
      ...summarizeChecks(checks),
      allWell: allWell(checks),
      saved: (request.query as Record<string, unknown>).saved === '1',
    });
  });

  app.post('/settings/system/key-saved', async (request, reply) => {
    const staff = request.staff;
    if (!staff) return;
    const key = app.config.phiKey ?? readKeyFile(keyFilePath(app.config.dataDir));
    if (key) {
      const now = app.now();
      await app.db.transaction().execute(async (trx) => {
        await confirmKeyCopy(
          trx,
          { keyId: key.id, at: now.toISOString(), by: staff.name },
          staff.id,
        );
        await auditChange(trx, changeOf(request), {
          action: 'key-copy-confirmed',
          detail: `key ${key.id}`,
        });
      });
    }
    return reply.redirect('/settings/system?saved=1', 303);
  });
};

export default systemSettings;
