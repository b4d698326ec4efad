import type { TicketRow } from '../repositories/ticket-lists.js';
import { isOpen } from './model.js';
import { targetState } from './waiting-time.js';

export interface RowFlags {
  overdue: boolean;
  /** Counted without the time spent in Waiting. */
  pastTarget: boolean;
  /** Waiting: the response target stands still. */
  targetPaused: boolean;
  /** What is left of the response target; null without one or when closed. */
  targetLeftMs: number | null;
}

/** What makes a ticket stand out in a list or on its page: said in words as well as colour. */
export function flagTicket(
  row: Pick<
    TicketRow,
    'status' | 'due_date' | 'created_at' | 'response_minutes' | 'waiting_since' | 'waited_seconds'
  >,
  today: string,
  now: Date,
): RowFlags {
  const open = isOpen(row.status);
  const target = targetState(row, now, open);
  return {
    overdue: open && row.due_date !== null && row.due_date < today,
    pastTarget: target.past,
    targetPaused: target.paused,
    targetLeftMs: target.leftMs,
  };
}
