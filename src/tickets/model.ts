import type { TicketStatus } from '../db/schema.js';

export const STATUSES: readonly { key: TicketStatus; label: string }[] = [
  { key: 'new', label: 'New' },
  { key: 'in_progress', label: 'In progress' },
  { key: 'waiting', label: 'Waiting' },
  { key: 'complete', label: 'Complete' },
  { key: 'cancelled', label: 'Cancelled' },
];

/** Open means still being worked: not Complete and not Cancelled. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'in_progress', 'waiting'];

export function isStatus(value: unknown): value is TicketStatus {
  return STATUSES.some((s) => s.key === value);
}

export function statusLabel(status: string): string {
  return STATUSES.find((s) => s.key === status)?.label ?? status;
}

export function isOpen(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export const TITLE_MAX = 150;
export const DESCRIPTION_MAX = 20_000;
export const NOTE_MAX = 20_000;
/** Notes may be corrected by their author for this long, then they stand as written. */
export const NOTE_EDIT_MINUTES = 15;
export const CRISIS_REMINDER =
  'Crisis is for work that has stopped: a module down, all clients gone. Expect a call back within 60 to 90 minutes.';
