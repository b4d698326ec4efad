import type { FastifyRequest } from 'fastify';
import { staffActor } from '../repositories/audit.js';
import type { ChangedBy } from '../staff/administration.js';

/** The signed-in person behind a change, for its audit row. */
export function changedBy(request: FastifyRequest): ChangedBy {
  if (!request.staff) throw new Error('changedBy needs a signed-in request');
  return { actor: staffActor(request.staff), ip: request.ip };
}
