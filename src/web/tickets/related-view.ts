import type { FastifyInstance } from 'fastify';
import { listMergedNotes } from '../../repositories/merged-notes.js';
import {
  describeVisibleTickets,
  type LinkedTicket,
  listLinksOf,
  listMergedInto,
  listOpenWaitingChildren,
} from '../../repositories/ticket-links.js';
import type { TicketDetail } from '../../repositories/tickets.js';
import type { TimelineEntry } from '../../repositories/timeline.js';
import { isOpen } from '../../tickets/model.js';
import type { Viewer } from '../../tickets/visibility.js';
import { describeDuration, targetState } from '../../tickets/waiting-time.js';

/** What the link and merge forms send back after a refusal: the person's input and the reason. */
export interface RelatedFormState {
  linkOther?: string;
  linkKind?: string;
  linkError?: string;
  mergeText?: string;
  mergeError?: string;
}

/** The other ticket as the viewer may know it: number and title, or that they cannot see it. */
export interface OtherTicket {
  id: number;
  /** Null when the viewer may not see it: then nothing of it is shown, not even the number. */
  ticket: LinkedTicket | null;
}

const CANNOT_SEE = 'a ticket you cannot see';

/** "#12 Printer down", or "a ticket you cannot see". */
export function labelOf(other: OtherTicket): string {
  return other.ticket ? `#${other.ticket.id} ${other.ticket.title}` : CANNOT_SEE;
}

const OTHER_TICKET_EVENTS = new Set(['linked', 'unlinked', 'merged_into', 'merged_from']);

/** The response target in words, for the ticket page. */
function describeTarget(ticket: TicketDetail, now: Date): string | null {
  const target = targetState(ticket, now, isOpen(ticket.status));
  if (target.leftMs === null) return null;
  const amount = describeDuration(target.leftMs);
  const state = target.leftMs < 0 ? `past by ${amount}` : `${amount} left`;
  return target.paused
    ? `Paused while Waiting: ${state}.`
    : `${state[0]?.toUpperCase()}${state.slice(1)}.`;
}

/**
 * Everything the ticket page shows about related tickets: links, tickets
 * waiting on this one, where a merged ticket went, the notes of tickets merged
 * into it, and the response target. Each other ticket is named only to a
 * viewer who may see it.
 */
export async function loadRelatedView(
  app: FastifyInstance,
  ticket: TicketDetail,
  viewer: Viewer & { mayMerge: boolean },
  timeline: TimelineEntry[],
  now: Date,
) {
  const [links, children, mergedIds] = await Promise.all([
    listLinksOf(app.db, ticket.id),
    ticket.status === 'complete' ? [] : listOpenWaitingChildren(app.db, ticket.id, viewer),
    listMergedInto(app.db, ticket.id),
  ]);
  const mergedNotes = await listMergedNotes(app.db, app.phi, mergedIds);
  const mentioned = [
    ...links.flatMap((l) => [l.ticket_id, l.linked_id]),
    ...timeline.filter((e) => OTHER_TICKET_EVENTS.has(e.kind)).map((e) => Number(e.new_value)),
    ...(ticket.merged_into === null ? [] : [ticket.merged_into]),
  ];
  const visible = await describeVisibleTickets(app.db, mentioned, viewer);
  const other = (id: number): OtherTicket => ({ id, ticket: visible.get(id) ?? null });
  const entries = [
    ...timeline.map((e) =>
      OTHER_TICKET_EVENTS.has(e.kind)
        ? { ...e, other_label: labelOf(other(Number(e.new_value))) }
        : e,
    ),
    // Notes stay on the ticket they were written on: edited there, not here.
    ...mergedNotes.map((n) => ({ ...n, note_staff_id: null })),
  ].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
  return {
    links: links.map((l) => {
      const mine = l.ticket_id === ticket.id;
      const relation = l.kind === 'related' ? 'Related to' : mine ? 'Waiting on' : 'Waited on by';
      const o = other(mine ? l.linked_id : l.ticket_id);
      return { id: l.id, relation, other: o, label: labelOf(o) };
    }),
    waitingChildren: children,
    mergedInto: ticket.merged_into === null ? null : other(ticket.merged_into),
    mayMerge: viewer.mayMerge && ticket.merged_into === null,
    target: describeTarget(ticket, now),
    timeline: entries,
  };
}
