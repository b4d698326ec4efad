import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { hasOneServerProcess } from '../db/dialect/locking.js';
import { storeOf } from '../db/dialect/store.js';
import type { Db } from '../db/index.js';
import { isAssetRequest } from '../plugins/static.js';
import { getAgencyName, getTimeZone } from '../repositories/settings.js';

/** The settings every page needs: kept in memory so a page does not pay a query for them. */
export interface AgencySettings {
  name: string;
  /** The IANA time zone of the agency's calendar: Settings, else TZ. */
  timeZone: string;
}

async function readAgencySettings(db: Db, config: Config): Promise<AgencySettings> {
  const [name, timeZone] = await Promise.all([getAgencyName(db), getTimeZone(db)]);
  return { name, timeZone: timeZone ?? config.timeZone };
}

/** How stale another process's save may be here, on a store several processes share. */
export const SHARED_SETTINGS_MS = 2000;

/**
 * Reads the agency's name and time zone once at start (after migrations) and
 * again whenever the Settings page saves them. With one process (SQLite) the
 * copy in memory cannot go stale behind its back. Where several processes
 * share the store (PostgreSQL), a save through another process is read here
 * by the first page request after SHARED_SETTINGS_MS: one query per two
 * seconds, not one per page; stylesheets and scripts never read it.
 */
export default fp(async (app) => {
  let current = await readAgencySettings(app.db, app.config);
  let readAt = Date.now();
  const reload = async () => {
    readAt = Date.now();
    current = await readAgencySettings(app.db, app.config);
  };
  app.decorate('agency', { current: () => current, reload });
  if (hasOneServerProcess(storeOf(app.db))) return;
  app.addHook('onRequest', async (request) => {
    if (isAssetRequest(request.url)) return;
    if (Date.now() - readAt >= SHARED_SETTINGS_MS) await reload();
  });
});

/** The agency's time zone: "today", due dates and every time shown use it. */
export function agencyTimeZone(app: FastifyInstance): string {
  return app.agency.current().timeZone;
}

export function agencyName(app: FastifyInstance): string {
  return app.agency.current().name;
}

/** Call after saving the agency name or time zone. */
export function reloadAgencySettings(app: FastifyInstance): Promise<void> {
  return app.agency.reload();
}

declare module 'fastify' {
  interface FastifyInstance {
    agency: { current(): AgencySettings; reload(): Promise<void> };
  }
}
