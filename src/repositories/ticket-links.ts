import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';
import type { TicketStatus } from '../db/schema.js';
import { shapeOf, type Viewer, viewerOfShape, visibleTo } from '../tickets/visibility.js';
import { isOpen } from './ticket-scopes.js';

export type LinkKind = 'related' | 'waiting_on';

/** A ticket as a link shows it, or null where the viewer may not see it. */
export interface LinkedTicket {
  id: number;
  title: string;
  status: TicketStatus;
}

/**
 * The tickets among `ids` that the viewer may see, with number, title and
 * status; the ones they may not see are simply absent from the map.
 */
export async function describeVisibleTickets(
  db: Db,
  ids: readonly number[],
  viewer: Viewer,
): Promise<Map<number, LinkedTicket>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .selectFrom('tickets')
    .select(['tickets.id', 'tickets.title', 'tickets.status'])
    .where('tickets.id', 'in', unique)
    .where(visibleTo(viewer))
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export interface LinkRow {
  id: number;
  ticket_id: number;
  linked_id: number;
  kind: LinkKind;
}

/** The link between two tickets, whichever way round it was made. */
export function findLinkBetween(db: Db, a: number, b: number): Promise<LinkRow | undefined> {
  return db
    .selectFrom('ticket_links')
    .select(['id', 'ticket_id', 'linked_id', 'kind'])
    .where((eb) =>
      eb.or([
        eb.and([eb('ticket_id', '=', a), eb('linked_id', '=', b)]),
        eb.and([eb('ticket_id', '=', b), eb('linked_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
}

export async function insertTicketLink(
  db: Db,
  link: { ticketId: number; linkedId: number; kind: LinkKind; createdBy: number },
  now: Date,
): Promise<number> {
  const row = await db
    .insertInto('ticket_links')
    .values({
      ticket_id: link.ticketId,
      linked_id: link.linkedId,
      kind: link.kind,
      created_by: link.createdBy,
      created_at: now.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A link of this ticket (either end), by its id. */
export function findLinkOf(db: Db, ticketId: number, linkId: number): Promise<LinkRow | undefined> {
  return db
    .selectFrom('ticket_links')
    .select(['id', 'ticket_id', 'linked_id', 'kind'])
    .where('id', '=', linkId)
    .where((eb) => eb.or([eb('ticket_id', '=', ticketId), eb('linked_id', '=', ticketId)]))
    .executeTakeFirst();
}

export async function deleteTicketLink(db: Db, linkId: number): Promise<boolean> {
  const result = await db.deleteFrom('ticket_links').where('id', '=', linkId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Every link with this ticket at either end, oldest first. Compiled once: every ticket page reads it. */
const linksQuery = prepared((db, v: { ticketId: number }) =>
  db
    .selectFrom('ticket_links')
    .select(['id', 'ticket_id', 'linked_id', 'kind'])
    .where((eb) => eb.or([eb('ticket_id', '=', v.ticketId), eb('linked_id', '=', v.ticketId)]))
    .orderBy('id'),
);

export function listLinksOf(db: Db, ticketId: number): Promise<LinkRow[]> {
  return linksQuery.rows(db, { ticketId });
}

export interface WaitingChild {
  id: number;
  title: string;
  status: TicketStatus;
  version: number;
  completed_date: string | null;
  waiting_since: string | null;
  waited_seconds: number;
}

/** Compiled once per kind of viewer: every ticket page reads it. */
const waitingChildrenQuery = prepared((db, v: { parentId: number; viewerId: number }, shape) =>
  db
    .selectFrom('ticket_links as l')
    .innerJoin('tickets', 'tickets.id', 'l.ticket_id')
    .select([
      'tickets.id',
      'tickets.title',
      'tickets.status',
      'tickets.version',
      'tickets.completed_date',
      'tickets.waiting_since',
      'tickets.waited_seconds',
    ])
    .where('l.linked_id', '=', v.parentId)
    .where('l.kind', '=', 'waiting_on')
    .where(isOpen)
    .where(visibleTo(viewerOfShape(shape, v.viewerId)))
    .orderBy('tickets.id'),
);

/** Open tickets waiting on this one, that the viewer may see, with their version for the save. */
export function listOpenWaitingChildren(
  db: Db,
  parentId: number,
  viewer: Viewer,
): Promise<WaitingChild[]> {
  return waitingChildrenQuery.rows(db, { parentId, viewerId: viewer.id }, shapeOf(viewer));
}

/**
 * Moves a merged ticket's links to the ticket it was merged into. A link that
 * would join the survivor to itself, or repeat one it already has, goes.
 */
export async function moveLinks(trx: Db, fromId: number, toId: number): Promise<number> {
  let moved = 0;
  for (const link of await listLinksOf(trx, fromId)) {
    const ticketId = link.ticket_id === fromId ? toId : link.ticket_id;
    const linkedId = link.linked_id === fromId ? toId : link.linked_id;
    const clash =
      ticketId === linkedId ||
      ((await findLinkBetween(trx, ticketId, linkedId)) ?? link).id !== link.id;
    if (clash) {
      await deleteTicketLink(trx, link.id);
      continue;
    }
    await trx
      .updateTable('ticket_links')
      .set({ ticket_id: ticketId, linked_id: linkedId })
      .where('id', '=', link.id)
      .execute();
    moved++;
  }
  return moved;
}

const mergedIntoOneQuery = prepared((db, v: { id: number }) =>
  db.selectFrom('tickets').select('id').where('merged_into', '=', v.id),
);

/** Tickets merged into this one, and those merged into them, at any depth. */
export async function listMergedInto(db: Db, survivorId: number): Promise<number[]> {
  const found: number[] = [];
  let frontier = [survivorId];
  while (frontier.length > 0 && found.length < 1000) {
    // Nearly always one ticket with nothing merged into it: that statement is compiled once.
    const [only] = frontier;
    const rows =
      frontier.length === 1 && only !== undefined
        ? await mergedIntoOneQuery.rows(db, { id: only })
        : await db
            .selectFrom('tickets')
            .select('id')
            .where('merged_into', 'in', frontier)
            .execute();
    frontier = rows.map((r) => r.id).filter((id) => !found.includes(id) && id !== survivorId);
    found.push(...frontier);
  }
  return found;
}

/** Cancels a duplicate as merged; false when it was merged meanwhile (nothing written). */
export async function markMerged(
  trx: Db,
  duplicateId: number,
  survivorId: number,
  clock: { waiting_since?: string | null; waited_seconds?: number },
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('tickets')
    .set({
      ...clock,
      status: 'cancelled',
      merged_into: survivorId,
      updated_at: now.toISOString(),
      version: sql`version + 1`,
    })
    .where('id', '=', duplicateId)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** What a merge checks of each duplicate, for the ones the viewer may see. */
export function findMergeCandidates(db: Db, ids: readonly number[], viewer: Viewer) {
  return db
    .selectFrom('tickets')
    .select([
      'tickets.id',
      'tickets.title',
      'tickets.status',
      'tickets.created_by',
      'tickets.merged_into',
      'tickets.waiting_since',
      'tickets.waited_seconds',
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('ticket_escalations as te')
              .select('te.ticket_id')
              .whereRef('te.ticket_id', '=', 'tickets.id'),
          )
          .as('sent_to_desk'),
    ])
    .where('tickets.id', 'in', ids.length > 0 ? [...ids] : [0])
    .where(visibleTo(viewer))
    .execute();
}

/** Staff associated with a ticket, by id. */
export async function listAssociatedIds(db: Db, ticketId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('ticket_associated_staff')
    .select('staff_id')
    .where('ticket_id', '=', ticketId)
    .execute();
  return rows.map((r) => r.staff_id);
}
