import { join } from 'node:path';
import { Eta } from 'eta';
import type { Actor } from '../change-context.js';
import type { Db } from '../db/index.js';
import type { TicketStatus } from '../db/schema.js';
import {
  findStaffToNotify,
  findTicketAudience,
  type TicketAudience,
} from '../repositories/notifications.js';
import { insertOutboxMessage } from '../repositories/outbox.js';
import { ROOT } from '../root.js';
import { statusLabel } from '../tickets/model.js';
import { createEta } from '../views/eta.js';
import { KIND_AUDIENCE, type NotificationKind } from './kinds.js';

/** Who did it, as a notification names them; null when hushdesk itself did (the morning reminders). */
export type NotificationActor = Pick<Actor, 'id' | 'name'>;

/** A staff id, or an outside address (the escalation desk), which has no preferences. */
export type NotificationRecipient = number | { address: string };

/**
 * What a notification may say. There is deliberately no field for a description,
 * a note or anything else staff type freely: only the ticket's number and title
 * (which holds no PHI) travel by email. Composition reads exactly these fields,
 * so passing a whole ticket row as `ticket` still sends only its id and title.
 */
interface EventBase {
  ticket: { id: number; title: string };
  actor: NotificationActor | null;
  recipients: readonly NotificationRecipient[];
}

export type NotificationEvent =
  | (EventBase & { kind: 'status_changed'; status: TicketStatus })
  /** `into`: the number of the ticket it carries on in, never its title or anything else. */
  | (EventBase & { kind: 'merged'; into: number })
  | (EventBase & { kind: Exclude<NotificationKind, 'status_changed' | 'merged'> });

export interface MailContext {
  /** BASE_URL: links point here and Message-IDs use its host. */
  baseUrl: string;
  now: Date;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

const VIEWS = join(ROOT, 'views');
const htmlEta = createEta();
htmlEta.configure({ views: VIEWS, cache: true });
// Plain text is not HTML: nothing to escape, and escaping would garble "&" in a title.
const textEta = new Eta({ views: VIEWS, cache: true, autoEscape: false });

/**
 * A title as it may appear in a header or a line of text: control characters
 * (CR and LF above all, which would start a new header) become spaces.
 */
export function cleanTitle(title: string): string {
  const flat = title
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

function headline(event: NotificationEvent): string {
  const who = event.actor ? cleanTitle(event.actor.name) : 'hushdesk';
  const n = `#${event.ticket.id}`;
  switch (event.kind) {
    case 'assigned':
      return `${who} assigned ticket ${n} to you.`;
    case 'auto_assigned':
      return `${who} opened ticket ${n}; it was assigned to you automatically, as billing coordinator.`;
    case 'due_today':
      return `Ticket ${n}, assigned to you, is due today.`;
    case 'overdue':
      return `Ticket ${n}, assigned to you, is overdue.`;
    case 'status_changed':
      return `${who} changed the status of ticket ${n} to ${statusLabel(event.status)}.`;
    case 'note_added':
      return `${who} added a note to ticket ${n}.`;
    case 'escalated':
      return `${who} sent ticket ${n} to the support desk.`;
    case 'merged':
      return `${who} merged ticket ${n} into ticket #${event.into}, where it carries on.`;
  }
}

/** Subject and bodies for one event; the same for every recipient. */
export function composeNotification(event: NotificationEvent, baseUrl: string): ComposedMail {
  const title = cleanTitle(event.ticket.title);
  const data = {
    headline: headline(event),
    number: event.ticket.id,
    title,
    link: `${baseUrl}/tickets/${event.ticket.id}`,
    preferencesLink: `${baseUrl}/profile/notifications`,
  };
  return {
    subject: `[hushdesk #${event.ticket.id}] ${title}`,
    text: textEta.render('/email/notification-text', data),
    html: htmlEta.render('/email/notification-html', data),
  };
}

/**
 * Queues an event's messages in the caller's transaction (no network I/O): never
 * to the actor, never to inactive staff or to staff who turned the kind off, one
 * message per address. Returns the outbox ids.
 */
export async function queueNotifications(
  trx: Db,
  event: NotificationEvent,
  context: MailContext,
): Promise<number[]> {
  const actorId = event.actor?.id ?? null;
  const staffIds = [
    ...new Set(event.recipients.filter((r): r is number => typeof r === 'number')),
  ].filter((id) => id !== actorId);
  const staff = await findStaffToNotify(trx, staffIds, event.kind);
  const targets = [
    ...staff.map((s) => ({ staffId: s.id as number | null, address: s.email.trim() })),
    ...event.recipients
      .filter((r): r is { address: string } => typeof r === 'object')
      .map((r) => ({ staffId: null, address: r.address.trim() })),
  ];
  if (targets.length === 0) return [];

  const mail = composeNotification(event, context.baseUrl);
  const host = new URL(context.baseUrl).hostname;
  const seen = new Set<string>();
  const ids: number[] = [];
  for (const target of targets) {
    const key = target.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const input = {
      kind: event.kind,
      recipientStaffId: target.staffId,
      toAddress: target.address,
      subject: mail.subject,
      textBody: mail.text,
      htmlBody: mail.html,
      ticketId: event.ticket.id,
    };
    ids.push(await insertOutboxMessage(trx, input, host, context.now));
  }
  return ids;
}

/**
 * The staff a kind of notification about this ticket goes to: the assignee for
 * assignment and due dates; the creator and associated staff for status
 * changes, notes and escalations. The actor is dropped later.
 */
export function pickRecipients(audience: TicketAudience, kind: NotificationKind): number[] {
  if (KIND_AUDIENCE[kind] === 'assignee') {
    return audience.assigneeId === null ? [] : [audience.assigneeId];
  }
  if (KIND_AUDIENCE[kind] === 'creator') return [audience.creatorId];
  return [...new Set([audience.creatorId, ...audience.associatedIds])];
}

/** The recipients of a kind of notification about a ticket, read from the database. */
export async function findTicketRecipients(
  db: Db,
  ticketId: number,
  kind: NotificationKind,
): Promise<number[]> {
  const audience = await findTicketAudience(db, ticketId);
  return audience ? pickRecipients(audience, kind) : [];
}

type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the ticket save path knows: the kind, the ticket's id, who did it. */
export type TicketNotice = OmitEach<NotificationEvent, 'ticket' | 'recipients'> & {
  ticketId: number;
  /** Outside addresses beside the staff (the escalation desk). */
  alsoTo?: readonly { address: string }[];
};

/**
 * The one call for the ticket save path: finds the ticket's title and the
 * recipients for the kind, and queues the messages in the same transaction.
 */
export async function queueTicketNotification(
  trx: Db,
  notice: TicketNotice,
  context: MailContext,
): Promise<number[]> {
  const audience = await findTicketAudience(trx, notice.ticketId);
  if (!audience) return [];
  const { ticketId: _, alsoTo, ...rest } = notice;
  // The audience is read once per event: title and recipients come from the same row.
  const staff = pickRecipients(audience, notice.kind);
  const event = {
    ...rest,
    ticket: audience.ticket,
    recipients: [...staff, ...(alsoTo ?? [])],
  } as NotificationEvent;
  return queueNotifications(trx, event, context);
}
