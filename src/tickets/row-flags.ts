import type { TicketRow } from '../repositories/ticket-lists.js';
import { isOpen } from './model.js';

export interface RowFlags {
  overdue: boolean;
  pastTarget: boolean;
}

/** What makes a ticket stand out in a list or on its page: said in words as well as colour. */
export function flagTicket(
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
