import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { addStaff, type Browser, createTestAppWith, signIn, type TestApp } from './app.js';

/** The API tests' agency: an administrator, a biller and a clinician. */
export async function createApiTestApp(): Promise<{
  t: TestApp;
  admin: Browser;
  bea: { id: number };
  cal: { id: number };
}> {
  const t = await createTestAppWith({ ann: { name: 'Ann Lee', role: 'admin' } });
  const bea = await addStaff(t.app, 'bea', { name: 'Bea Biller', department: 'Billing' });
  const cal = await addStaff(t.app, 'cal', { name: 'Cal Clinician' });
  return { t, admin: await signIn(t.app, 'ann'), bea, cal };
}

/** Makes a token through the real page and returns it as shown, once. */
export async function makeToken(admin: Browser, name: string): Promise<string> {
  await admin.get('/settings/api-tokens');
  const response = await admin.post('/settings/api-tokens', { name });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  const token = /id="token" class="wide" value="(hd_[A-Za-z0-9_-]{43})"/.exec(response.body)?.[1];
  if (!token) throw new Error('no token on the page');
  return token;
}

/** POST /api/v1/tickets as an automated process would send it. */
export function postTicket(
  app: FastifyInstance,
  token: string | null,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    payload: JSON.stringify(body),
  });
}

export function getTicket(app: FastifyInstance, token: string | null, number: number | string) {
  return app.inject({
    method: 'GET',
    url: `/api/v1/tickets/${number}`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** The number of the ticket a 201 answer created. */
export function created(response: LightMyRequestResponse): number {
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { number: number }).number;
}
