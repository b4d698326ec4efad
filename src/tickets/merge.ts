import { auditActorOf, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { queueTicketNotification } from '../notifications/compose.js';
import { recordAudit } from '../repositories/audit.js';
import { findEscalation } from '../repositories/escalation.js';
import { findStaffById } from '../repositories/staff.js';
import {
  findMergeCandidates,
  listAssociatedIds,
  markMerged,
  moveLinks,
} from '../repositories/ticket-links.js';
import { addAssociatedStaff, type TicketDetail, touchTicket } from '../repositories/tickets.js';
import { type NewEvent, recordEvents } from '../repositories/timeline.js';
import { NOT_VISIBLE, parseTicketNumbers } from './links.js';
import { isOpen, statusLabel } from './model.js';
import type { Viewer } from './visibility.js';
import { waitingClockChanges } from './waiting-time.js';

export type MergeResult = { ok: true; merged: number[] } | { ok: false; message: string };

type Candidate = Awaited<ReturnType<typeof findMergeCandidates>>[number];

/** Raised inside the transaction when a duplicate was merged meanwhile: nothing is kept. */
class MergedMeanwhile extends Error {
  constructor(readonly ticketId: number) {
    super(`#${ticketId} merged meanwhile`);
  }
}

/** Why these duplicates cannot be merged into the survivor, or null when they can. */
async function whyNotMergeable(
  db: Db,
  survivor: TicketDetail,
  numbers: number[],
  found: Map<number, Candidate>,
): Promise<string | null> {
  if (survivor.merged_into !== null) {
    return `This ticket was merged into #${survivor.merged_into}: merge into that one instead.`;
  }
  const survivorSent = (await findEscalation(db, survivor.id)) !== undefined;
  for (const n of numbers) {
    if (n === survivor.id) return 'A ticket cannot be merged into itself.';
    const duplicate = found.get(n);
    if (!duplicate) return NOT_VISIBLE(n);
    if (duplicate.merged_into !== null) {
      return `#${n} was already merged into #${duplicate.merged_into}.`;
    }
    if (!isOpen(duplicate.status)) {
      return `#${n} is ${statusLabel(duplicate.status)}: only open tickets can be merged.`;
    }
    // The desk works on the ticket it was sent: that one must be the one that carries on.
    if (duplicate.sent_to_desk && !survivorSent) {
      return `#${n} was sent to the support desk and this ticket was not: open #${n} and merge this ticket into it instead.`;
    }
  }
  return null;
}

/**
 * Merges duplicates into a surviving ticket. Each duplicate becomes Cancelled
 * and says where it went; its creator and associated staff join the
 * survivor's associated staff; its links move to the survivor; its notes stay
 * where they are and show on the survivor's timeline; its creator is told
 * (title only). All of it in one transaction, recorded on both timelines and
 * in the audit log.
 */
export async function mergeTickets(
  db: Db,
  options: {
    survivor: TicketDetail;
    duplicatesText: string;
    viewer: Viewer;
    change: ChangeContext;
  },
): Promise<MergeResult> {
  const { survivor, viewer, change } = options;
  const numbers = parseTicketNumbers(options.duplicatesText);
  if (!numbers) {
    return { ok: false, message: 'Type the numbers of the duplicate tickets, such as 12, 15.' };
  }
  const found = new Map(
    (await findMergeCandidates(db, numbers, viewer)).map((c) => [c.id, c] as const),
  );
  const refusal = await whyNotMergeable(db, survivor, numbers, found);
  if (refusal) return { ok: false, message: refusal };
  try {
    await db.transaction().execute(async (trx) => {
      for (const n of numbers) await mergeOne(trx, survivor, found.get(n) as Candidate, change);
      await touchTicket(trx, survivor.id, change.now);
    });
  } catch (error) {
    if (!(error instanceof MergedMeanwhile)) throw error;
    return { ok: false, message: `#${error.ticketId} was merged by someone else meanwhile.` };
  }
  return { ok: true, merged: numbers };
}

async function mergeOne(
  trx: Db,
  survivor: TicketDetail,
  duplicate: Candidate,
  change: ChangeContext,
): Promise<void> {
  const { actor, now } = change;
  const clock = waitingClockChanges(duplicate, 'cancelled', now);
  if (!(await markMerged(trx, duplicate.id, survivor.id, clock, now))) {
    throw new MergedMeanwhile(duplicate.id);
  }
  const by = { staffId: actor.id };
  const events: NewEvent[] = [
    {
      ...by,
      ticketId: duplicate.id,
      kind: 'changed',
      field: 'Status',
      oldValue: statusLabel(duplicate.status),
      newValue: 'Cancelled',
    },
    { ...by, ticketId: duplicate.id, kind: 'merged_into', newValue: String(survivor.id) },
    { ...by, ticketId: survivor.id, kind: 'merged_from', newValue: String(duplicate.id) },
  ];
  // The duplicate's people follow the survivor, so nobody loses sight of the work.
  const people = [duplicate.created_by, ...(await listAssociatedIds(trx, duplicate.id))];
  for (const staffId of new Set(people)) {
    if (staffId === survivor.created_by) continue;
    if (!(await addAssociatedStaff(trx, survivor.id, staffId, actor.id, now))) continue;
    const name = (await findStaffById(trx, staffId))?.name ?? 'unknown';
    events.push({ ...by, ticketId: survivor.id, kind: 'associated_added', newValue: name });
  }
  await moveLinks(trx, duplicate.id, survivor.id);
  await recordEvents(trx, events, now);
  for (const [ticketId, detail] of [
    [duplicate.id, `merged into #${survivor.id}`],
    [survivor.id, `#${duplicate.id} merged into it`],
  ] as const) {
    await recordAudit(
      trx,
      { actor: auditActorOf(change), action: 'ticket-merged', ticketId, detail, ip: change.ip },
      now,
    );
  }
  await queueTicketNotification(
    trx,
    { kind: 'merged', ticketId: duplicate.id, actor, into: survivor.id },
    change,
  );
}
