/** Every kind of notification hushdesk sends, in the order the profile page lists them. */
export const NOTIFICATION_KINDS = [
  'assigned',
  'auto_assigned',
  'due_today',
  'overdue',
  'status_changed',
  'note_added',
  'escalated',
  'merged',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/**
 * Who a kind goes to: the assignee hears about assignment and due dates;
 * the creator and associated staff hear about what happens to the ticket after.
 */
export const KIND_AUDIENCE: Record<
  NotificationKind,
  'assignee' | 'creator' | 'creator_and_associated'
> = {
  assigned: 'assignee',
  auto_assigned: 'assignee',
  due_today: 'assignee',
  overdue: 'assignee',
  status_changed: 'creator_and_associated',
  note_added: 'creator_and_associated',
  escalated: 'creator_and_associated',
  // The duplicate's creator learns where their ticket went; its followers join the survivor.
  merged: 'creator',
};

/** How the profile page names each kind, from the reader's side. */
export const KIND_LABELS: Record<NotificationKind, string> = {
  assigned: 'A ticket is assigned to me',
  auto_assigned: 'A ticket is assigned to me automatically (as billing coordinator)',
  due_today: 'A ticket of mine is due today (a morning reminder)',
  overdue: 'A ticket of mine is overdue (a reminder each morning while it is open)',
  status_changed: 'The status changes on a ticket I opened or am associated with',
  note_added: 'Someone adds a note to a ticket I opened or am associated with',
  escalated: 'A ticket I opened or am associated with is sent to the support desk',
  merged: 'A ticket I opened is merged into another ticket',
};
