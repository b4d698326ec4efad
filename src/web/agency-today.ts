import type { FastifyInstance } from 'fastify';
import { agencyTimeZone } from '../decorators/agency.js';
import { agencyToday, endOfWeek } from '../tickets/dates.js';

/** Today's date where the agency is (YYYY-MM-DD), by the app's clock. */
export function todayOf(app: FastifyInstance): string {
  return agencyToday(app.now(), agencyTimeZone(app));
}

/** The dates the lists' due filters count from. */
export function dueDatesOf(app: FastifyInstance) {
  const today = todayOf(app);
  return { today, endOfWeek: endOfWeek(today) };
}
