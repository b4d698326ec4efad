import type { FastifyInstance } from 'fastify';
import type { Priority } from '../../db/schema.js';
import { listPriorities } from '../../repositories/priorities.js';
import { staffDirectory } from '../../staff/directory.js';
import type { StaffDirectory } from '../../staff/search.js';
import { todayOf } from '../agency-today.js';

/** What the ticket window and the ticket page offer to choose from. */
export interface FormChoices {
  priorities: Priority[];
  /** Active staff: who may be assigned, and what quick search looks through. */
  directory: StaffDirectory;
  today: string;
}

export async function loadFormChoices(app: FastifyInstance): Promise<FormChoices> {
  const [priorities, directory] = await Promise.all([
    listPriorities(app.db),
    staffDirectory(app.db),
  ]);
  return { priorities, directory, today: todayOf(app) };
}
