import type { FastifyRequest } from 'fastify';

/** A positive whole-number path parameter, or null (the caller answers 404). */
export function idParam(request: FastifyRequest, name = 'id'): number | null {
  const value = (request.params as Record<string, string | undefined>)[name] ?? '';
  if (!/^[1-9]\d{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}
