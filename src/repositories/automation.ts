import type { Db } from '../db/index.js';
import type { TicketStatus } from '../db/schema.js';
import { OPEN_STATUSES } from '../tickets/model.js';

/**
 * Open tickets with no assignee. Only [auto-assignment] leaves a ticket so
 * (the form always names someone), when no billing coordinator is designated.
 */
export async function countUnassignedOpenTickets(db: Db): Promise<number> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assignee_id', 'is', null)
    .where('status', 'in', [...OPEN_STATUSES])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ApiTicket {
  id: number;
  title: string;
  status: TicketStatus;
  priority_key: string;
  due_date: string | null;
  completed_date: string | null;
  assignee_username: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * A ticket as the automation API shows it, only if this creator made it: a
 * token reads what it created and nothing else. No description: it may hold PHI.
 */
export function findTicketCreatedBy(
  db: Db,
  id: number,
  createdBy: number,
): Promise<ApiTicket | undefined> {
  return db
    .selectFrom('tickets')
    .innerJoin('priorities as p', 'p.id', 'tickets.priority_id')
    .leftJoin('staff as assignee', 'assignee.id', 'tickets.assignee_id')
    .select([
      'tickets.id',
      'tickets.title',
      'tickets.status',
      'p.key as priority_key',
      'tickets.due_date',
      'tickets.completed_date',
      'assignee.username as assignee_username',
      'tickets.created_at',
      'tickets.updated_at',
    ])
    .where('tickets.id', '=', id)
    .where('tickets.created_by', '=', createdBy)
    .executeTakeFirst();
}
