import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import { isExternalSupport } from '../staff/external.js';
import type { SignedInStaff } from '../types.js';

/**
 * Who may see which ticket, in one place. The rule is a SQL expression so that
 * lists, counts and single tickets all filter in the database the same way.
 */
export interface Viewer {
  id: number;
  seeAll: boolean;
  /** External support: only tickets sent to the escalation desk, whatever else holds. */
  externalOnly: boolean;
}

/** The viewer a signed-in person is: their role decides how far they see. */
export function viewerFor(staff: Pick<SignedInStaff, 'id' | 'permissions' | 'roleKey'>): Viewer {
  return {
    id: staff.id,
    seeAll: staff.permissions.has('see_all_tickets'),
    externalOnly: isExternalSupport(staff),
  };
}

/**
 * What in a viewer changes visibleTo's SQL: the shape of a query compiled once
 * (src/db/prepared.ts); the viewer's id is a value it takes at each run.
 */
export type ViewerShape = 'external' | 'all' | 'own';

export function shapeOf(viewer: Viewer): ViewerShape {
  return viewer.externalOnly ? 'external' : viewer.seeAll ? 'all' : 'own';
}

/** The viewer a compiled query was built for, its id a placeholder (prepared.ts). */
export function viewerOfShape(shape: string, id: number): Viewer {
  return { id, seeAll: shape === 'all', externalOnly: shape === 'external' };
}

/**
 * A ticket is visible to its creator, its assignee, its associated staff, and
 * roles with "see all tickets". Everyone else gets 404, as for a missing ticket.
 * External support (the desk's own accounts) sees exactly the tickets sent to the desk.
 */
export function visibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, 'tickets'>) => {
    if (viewer.externalOnly) {
      return eb('tickets.id', 'in', eb.selectFrom('ticket_escalations').select('ticket_id'));
    }
    if (viewer.seeAll) return eb.lit(true);
    return eb.or([
      eb('tickets.created_by', '=', viewer.id),
      eb('tickets.assignee_id', '=', viewer.id),
      eb.exists(
        eb
          .selectFrom('ticket_associated_staff as tas')
          .select('tas.ticket_id')
          .whereRef('tas.ticket_id', '=', 'tickets.id')
          .where('tas.staff_id', '=', viewer.id),
      ),
    ]);
  };
}
