import type { SelectQueryBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/schema.js';
import type { ListScope } from '../tickets/filters.js';
import { OPEN_STATUSES } from '../tickets/model.js';
import { type Viewer, visibleTo } from '../tickets/visibility.js';

/** Which tickets each list holds (My tickets' tabs, All, Sent), and the counts on My tickets' tabs. */

export type TicketQuery = SelectQueryBuilder<Database, 'tickets', object>;

export function applyScope(base: TicketQuery, scope: ListScope, viewer: Viewer): TicketQuery {
  // External support's visibility narrows every list, whatever the scope.
  const query = viewer.externalOnly ? base.where(visibleTo(viewer)) : base;
  switch (scope) {
    case 'assigned':
      return query.where('tickets.assignee_id', '=', viewer.id);
    case 'created':
      return query.where('tickets.created_by', '=', viewer.id);
    case 'associated':
      // From the person's associations to their tickets: a few hundred lookups,
      // not a probe for every open ticket in the agency.
      return query.where('tickets.id', 'in', (eb) =>
        eb
          .selectFrom('ticket_associated_staff as tas')
          .select('tas.ticket_id')
          .where('tas.staff_id', '=', viewer.id),
      );
    case 'all':
      return query.where(visibleTo(viewer));
    case 'sent':
      return query
        .where(visibleTo(viewer))
        .where('tickets.id', 'in', (eb) => eb.selectFrom('ticket_escalations').select('ticket_id'));
  }
}

/**
 * "The ticket is open", with the statuses written out as literals: the partial
 * indexes on open tickets (migrations/0110) are used only when the query says
 * exactly what their WHERE says, and a bound parameter would hide it.
 */
export const isOpen = sql<SqlBool>`tickets.status in (${sql.join(OPEN_STATUSES.map((s) => sql.lit(s)))})`;

type MyCounts = Record<'assigned' | 'created' | 'associated', number>;

/**
 * The counts on My tickets' three tabs: open tickets in each, as kept by the
 * triggers of migrations/0110 (no counting on the request path).
 */
export async function countMyTickets(db: Db, viewer: Viewer): Promise<MyCounts> {
  // External support never sees My tickets; its narrower visibility is counted, not kept.
  if (viewer.externalOnly) return recountMyTickets(db, viewer);
  const row = await db
    .selectFrom('staff_open_counts')
    .select(['assigned', 'created', 'associated'])
    .where('staff_id', '=', viewer.id)
    .executeTakeFirst();
  return row ?? { assigned: 0, created: 0, associated: 0 };
}

/** The same counts, counted: what the kept counts must always equal. */
export async function recountMyTickets(db: Db, viewer: Viewer): Promise<MyCounts> {
  const count = async (scope: ListScope) => {
    const row = await applyScope(db.selectFrom('tickets'), scope, viewer)
      .where(isOpen)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    assigned: await count('assigned'),
    created: await count('created'),
    associated: await count('associated'),
  };
}
