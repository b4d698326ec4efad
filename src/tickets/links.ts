import { auditActorOf, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { recordAudit } from '../repositories/audit.js';
import {
  deleteTicketLink,
  describeVisibleTickets,
  findLinkBetween,
  findLinkOf,
  insertTicketLink,
  type LinkKind,
} from '../repositories/ticket-links.js';
import type { NewEvent } from '../repositories/timeline.js';
import { recordEvents } from '../repositories/timeline.js';
import type { Viewer } from './visibility.js';

/** Up to this many numbers in one field: merging or linking is a handful at a time. */
const MAX_NUMBERS = 20;

/**
 * Ticket numbers as people type them: "12", "#12, #15", "12 15". Null when
 * something else is there, so a typo is refused rather than half read.
 */
export function parseTicketNumbers(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > MAX_NUMBERS) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const match = /^#?(\d{1,9})$/.exec(part);
    if (!match) return null;
    const n = Number(match[1]);
    if (!numbers.includes(n)) numbers.push(n);
  }
  return numbers;
}

export const NOT_VISIBLE = (n: number) => `There is no ticket #${n} that you can see.`;

/** Audited on both tickets: each ticket's history says what was linked to it. */
async function auditBoth(
  trx: Db,
  change: ChangeContext,
  action: string,
  rows: [number, string][],
): Promise<void> {
  for (const [ticketId, detail] of rows) {
    await recordAudit(
      trx,
      { actor: auditActorOf(change), action, ticketId, detail, ip: change.ip },
      change.now,
    );
  }
}

export type LinkResult = { ok: true } | { ok: false; message: string };

/**
 * Links two tickets the person may both see: `related`, or `waiting_on` (this
 * ticket waits on the other). Recorded on both timelines and in the audit log.
 */
export async function linkTickets(
  db: Db,
  options: {
    ticketId: number;
    otherText: string;
    kind: LinkKind;
    viewer: Viewer;
    change: ChangeContext;
  },
): Promise<LinkResult> {
  const { ticketId, kind, viewer, change } = options;
  const numbers = parseTicketNumbers(options.otherText);
  const otherId = numbers?.length === 1 ? numbers[0] : undefined;
  if (otherId === undefined) return { ok: false, message: 'Type one ticket number, such as 42.' };
  if (otherId === ticketId) return { ok: false, message: 'A ticket cannot be linked to itself.' };
  if (!(await describeVisibleTickets(db, [otherId], viewer)).has(otherId)) {
    return { ok: false, message: NOT_VISIBLE(otherId) };
  }
  if (await findLinkBetween(db, ticketId, otherId)) {
    return { ok: false, message: `This ticket is already linked to #${otherId}.` };
  }
  const { actor, now } = change;
  const waiting = kind === 'waiting_on';
  const events: NewEvent[] = [
    { ticketId, staffId: actor.id, kind: 'linked', field: kind, newValue: String(otherId) },
    {
      ticketId: otherId,
      staffId: actor.id,
      kind: 'linked',
      field: waiting ? 'waited_on_by' : 'related',
      newValue: String(ticketId),
    },
  ];
  await db.transaction().execute(async (trx) => {
    await insertTicketLink(trx, { ticketId, linkedId: otherId, kind, createdBy: actor.id }, now);
    await recordEvents(trx, events, now);
    await auditBoth(trx, change, 'ticket-linked', [
      [ticketId, waiting ? `waiting on #${otherId}` : `related to #${otherId}`],
      [otherId, waiting ? `#${ticketId} waiting on it` : `related to #${ticketId}`],
    ]);
  });
  return { ok: true };
}

/** Removes a link of this ticket; both timelines and the audit log say so. */
export async function unlinkTickets(
  db: Db,
  { ticketId, linkId, change }: { ticketId: number; linkId: number; change: ChangeContext },
): Promise<boolean> {
  const link = await findLinkOf(db, ticketId, linkId);
  if (!link) return false;
  const { actor, now } = change;
  const otherId = link.ticket_id === ticketId ? link.linked_id : link.ticket_id;
  await db.transaction().execute(async (trx) => {
    if (!(await deleteTicketLink(trx, link.id))) return;
    await recordEvents(
      trx,
      [
        { ticketId, staffId: actor.id, kind: 'unlinked', newValue: String(otherId) },
        { ticketId: otherId, staffId: actor.id, kind: 'unlinked', newValue: String(ticketId) },
      ],
      now,
    );
    await auditBoth(trx, change, 'ticket-unlinked', [
      [ticketId, `#${otherId}`],
      [otherId, `#${ticketId}`],
    ]);
  });
  return true;
}
