import type { FastifyInstance } from 'fastify';
import type { Priority } from '../../db/schema.js';
import { agencyTimeZone } from '../../decorators/agency.js';
import { listPriorities } from '../../repositories/priorities.js';
import type { TicketRow } from '../../repositories/ticket-lists.js';
import { staffDirectory } from '../../staff/directory.js';
import type { StaffDirectory } from '../../staff/search.js';
import { agencyToday, endOfWeek } from '../../tickets/dates.js';
import { isOpen } from '../../tickets/model.js';

export { signedIn, viewerOf } from '../../web/signed-in.js';

export function todayOf(app: FastifyInstance): string {
  return agencyToday(app.now(), agencyTimeZone(app));
}

export function dueDates(app: FastifyInstance) {
  const today = todayOf(app);
  return { today, endOfWeek: endOfWeek(today) };
}

export interface FormChoices {
  priorities: Priority[];
  /** Active staff: who may be assigned, and what quick search looks through. */
  directory: StaffDirectory;
  today: string;
}

export async function formChoices(app: FastifyInstance): Promise<FormChoices> {
  const [priorities, directory] = await Promise.all([
    listPriorities(app.db),
    staffDirectory(app.db),
  ]);
  return { priorities, directory, today: todayOf(app) };
}

export interface RowFlags {
  overdue: boolean;
  pastTarget: boolean;
}

/** What makes a row stand out: said in words as well as colour. */
export function rowFlags(
  row: Pick<TicketRow, 'status' | 'due_date' | 'created_at' | 'response_minutes'>,
  today: string,
  now: Date,
): RowFlags {
  const open = isOpen(row.status);
  return {
    overdue: open && row.due_date !== null && row.due_date < today,
    pastTarget:
      open &&
      row.response_minutes !== null &&
      Date.parse(row.created_at) + row.response_minutes * 60_000 < now.getTime(),
  };
}
