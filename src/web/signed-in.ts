import type { FastifyRequest } from 'fastify';
import { type Viewer, viewerFor } from '../tickets/visibility.js';
import type { SignedInStaff } from '../types.js';

/** The person behind a request to a route registered behind requireSignIn. */
export function signedIn(request: FastifyRequest): SignedInStaff {
  if (!request.staff) throw new Error('route registered without requireSignIn');
  return request.staff;
}

/** What the signed-in person may see, for the repositories' visibility filter. */
export function viewerOf(request: FastifyRequest): Viewer {
  return viewerFor(signedIn(request));
}
