import type { FastifyRequest } from 'fastify';

/** A positive whole-number path parameter, or null (the caller answers 404). */
export function idParam(request: FastifyRequest, name = 'id'): number | null {
  const value = (request.params as Record<string, string | undefined>)[name] ?? '';
  if (!/^[1-9]\d{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The ticket version a form says it showed, as a whole number; anything else
 * becomes -1, which no ticket has, so the save answers "changed meanwhile".
 */
export function versionField(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return -1;
  return Number(value);
}

/**
 * Where a ticket form was opened: the version it showed and the last timeline
 * entry it showed; 0 for one missing or malformed.
 */
export function readEditBase(body: Record<string, unknown>) {
  const int = (v: unknown) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : 0);
  return { version: int(body.version), seenEventId: int(body.seen_event) };
}
