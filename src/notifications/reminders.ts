import type { Db } from '../db/index.js';
import { listTicketsDueBy } from '../repositories/notifications.js';
import { getSetting, setSetting } from '../repositories/settings.js';
import { formatterPerZone } from '../tickets/dates.js';
import { queueNotifications } from './compose.js';

/** Reminders go out from this hour of the agency's morning. */
export const REMINDER_HOUR = 7;
const LAST_RUN_KEY = 'notifications.reminders_date';

const dateHourFormatter = formatterPerZone('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

/**
 * The agency's calendar date (YYYY-MM-DD) and hour at `now`. Asked on every
 * outbox pass, which follows every change that notifies anyone.
 */
export function localDateAndHour(now: Date, timeZone: string): { date: string; hour: number } {
  const parts = dateHourFormatter(timeZone).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
}

/**
 * Once each morning: "due today" to the assignee of each open ticket due today,
 * "overdue" for each open ticket past its date. The day is recorded in the same
 * transaction as the messages, so a restart neither skips nor repeats a morning.
 * Returns the number of messages queued.
 */
export async function queueDailyReminders(
  db: Db,
  options: { baseUrl: string; timeZone: string; now: Date },
): Promise<number> {
  const { date, hour } = localDateAndHour(options.now, options.timeZone);
  if (hour < REMINDER_HOUR) return 0;
  if ((await getSetting<string | null>(db, LAST_RUN_KEY, null)) === date) return 0;
  return db.transaction().execute(async (trx) => {
    if ((await getSetting<string | null>(trx, LAST_RUN_KEY, null)) === date) return 0;
    let queued = 0;
    for (const ticket of await listTicketsDueBy(trx, date)) {
      if (ticket.assignee_id === null) continue;
      const ids = await queueNotifications(
        trx,
        {
          kind: ticket.due_date === date ? 'due_today' : 'overdue',
          ticket: { id: ticket.id, title: ticket.title },
          actor: null,
          recipients: [ticket.assignee_id],
        },
        { baseUrl: options.baseUrl, now: options.now },
      );
      queued += ids.length;
    }
    await setSetting(trx, LAST_RUN_KEY, date, null, options.now);
    return queued;
  });
}
