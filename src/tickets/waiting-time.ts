import type { TicketStatus } from '../db/schema.js';

/** What the response target reads of a ticket. */
export interface TargetClock {
  status: TicketStatus;
  created_at: string;
  response_minutes: number | null;
  waiting_since: string | null;
  waited_seconds: number;
}

/**
 * Milliseconds that count toward the response target at `now`: the ticket's
 * age less every period it spent in Waiting, the current one included (so the
 * count stands still while it waits).
 */
export function countedMs(ticket: TargetClock, now: Date): number {
  const end = ticket.waiting_since === null ? now.getTime() : Date.parse(ticket.waiting_since);
  return Math.max(0, end - Date.parse(ticket.created_at) - ticket.waited_seconds * 1000);
}

export interface TargetState {
  /** The target does not move while the ticket is Waiting. */
  paused: boolean;
  past: boolean;
  /** What is left of the target (negative once past); null for a priority without one. */
  leftMs: number | null;
}

/** Where a ticket stands against its priority's response target. */
export function targetState(ticket: TargetClock, now: Date, open: boolean): TargetState {
  if (ticket.response_minutes === null || !open)
    return { paused: false, past: false, leftMs: null };
  const leftMs = ticket.response_minutes * 60_000 - countedMs(ticket, now);
  return { paused: ticket.status === 'waiting', past: leftMs < 0, leftMs };
}

/**
 * The columns that move with a status change: leaving Waiting adds the period
 * to the waited time; entering it starts a new period. Nothing moves otherwise.
 */
export function waitingClockChanges(
  current: Pick<TargetClock, 'status' | 'waiting_since' | 'waited_seconds'>,
  next: TicketStatus,
  now: Date,
): { waiting_since?: string | null; waited_seconds?: number } {
  if (next === current.status) return {};
  const changes: { waiting_since?: string | null; waited_seconds?: number } = {};
  if (current.status === 'waiting' && current.waiting_since !== null) {
    const period = Math.max(0, now.getTime() - Date.parse(current.waiting_since));
    changes.waited_seconds = current.waited_seconds + Math.round(period / 1000);
    changes.waiting_since = null;
  }
  if (next === 'waiting') changes.waiting_since = now.toISOString();
  return changes;
}

/** "3 days 4 hours", "45 minutes": what is left of a target, in the two largest units. */
export function describeDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const parts: [number, string][] = [
    [Math.floor(minutes / 1440), 'day'],
    [Math.floor((minutes % 1440) / 60), 'hour'],
    [minutes % 60, 'minute'],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  if (shown.length === 0) return 'less than a minute';
  return shown.map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`).join(' ');
}
