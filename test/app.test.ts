import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../src/app.js';
import { ROOT } from '../src/root.js';
import { EXTERNAL_ROUTES } from '../src/staff/external.js';
import { loadHelpButton } from '../src/web/help/button-asset.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from './helpers/app.js';

/**
 * Routes anyone may reach without signing in, each with the reason. Every other
 * route, including any added later, must send a signed-out request to sign-in,
 * and every route that declares a permission must refuse roles without it.
 */
const PUBLIC: Record<string, string> = {
  'GET /healthz': 'monitors check it; it says only whether the store answers',
  'GET /metrics': 'Prometheus: loopback or METRICS_TOKEN only (test/metrics), counts and no names',
  'GET /static/*': 'our stylesheet, script and icon',
  'GET /vendor/htmx/*': 'htmx, served by the app',
  'GET /sign-in': 'the way in',
  'POST /sign-in': 'the way in',
  'POST /sign-out': 'ends a session if there is one; signed out it has nothing to end',
  'GET /setup/:token': 'the first administrator’s one-time link',
  'POST /setup/:token': 'the first administrator’s one-time link',
  'GET /reset/:token': 'a one-time password link: the link is the proof',
  'POST /reset/:token': 'a one-time password link: the link is the proof',
  'GET /sign-in/two-factor': 'the second step of sign-in: works only with a pending sign-in',
  'POST /sign-in/two-factor': 'the second step of sign-in: works only with a pending sign-in',
  'GET /api/v1/openapi.json': 'describes the automation API; holds no data',
  'GET /sign-in/sso': 'the way in through the agency’s provider',
  'GET /sign-in/sso/callback':
    'the provider sends people back here; works only with the sign-in begun in this browser',
  'GET /sign-out/sso': 'after signing out, the provider’s own sign-out; it ends nothing of ours',
  [`GET ${loadHelpButton().path}`]:
    'the Help button snippet other applications load: a static file, no data',
};

/**
 * The automation API: no session, only a bearer API token (the token is the
 * proof, as the link is for /reset). Signed out they answer 401 JSON, like any
 * guarded route, and a signed-in browser's cookie does not count.
 */
const BEARER: Record<string, string> = {
  'POST /api/v1/tickets': 'an automated process opens a ticket with its API token',
  'GET /api/v1/tickets/:number': 'an automated process reads a ticket its token created',
  'POST /api/v1/tickets/:number/attachments':
    'an automated process adds files to a ticket its token created',
};

/**
 * Folders whose every route needs a permission: a route added there without
 * one fails here instead of quietly opening to everyone signed in.
 */
const FOLDER_PERMISSIONS: Record<string, string | 'any'> = {
  '/staff': 'manage_staff',
  '/roles': 'manage_staff',
  '/settings': 'any',
  '/audit': 'any',
  '/reports': 'see_reports',
};

let t: TestApp;
let routes: RouteEntry[];
/** Signed in, one browser per built-in role. */
const as: Record<'admin' | 'staff' | 'external' | 'champion', Browser> = {} as never;

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ['admin', 'staff', 'external', 'champion'] as const) {
    await addStaff(t.app, role, { role });
    as[role] = await signIn(t.app, role);
  }
  routes = t.app.routeTable();
});
afterAll(() => t.close());

/** HEAD comes with every GET; it is judged as its GET. */
const keyOf = (route: RouteEntry) =>
  `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
const guarded = () => routes.filter((route) => !(keyOf(route) in PUBLIC));
/** A concrete path for a route's pattern: ids and tokens become 1. */
const pathOf = (url: string) => url.replace(/:[A-Za-z_]+/g, '1').replace(/\*$/, 'x');
const label = (route: RouteEntry) => `${route.method} ${route.url}`;

function send(
  browser: Browser | null,
  route: RouteEntry,
  extra: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const url = pathOf(route.url);
  const headers = { ...extra };
  if (route.method === 'GET' || route.method === 'HEAD') {
    return browser
      ? browser.request({ method: route.method, url, headers })
      : t.app.inject({ method: route.method, url, headers });
  }
  const form = { _csrf: browser?.csrf ?? '' };
  const base = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  if (browser) return browser.post(url, form, { ...base, 'x-csrf-token': browser.csrf });
  return t.app.inject({
    method: route.method as 'POST',
    url,
    headers: base,
    payload: new URLSearchParams(form).toString(),
  });
}

describe('the route table', () => {
  it('holds every public route listed above, so the list cannot go stale', () => {
    const keys = new Set(routes.map(keyOf));
    for (const key of Object.keys(PUBLIC)) expect(keys, key).toContain(key);
    expect(guarded().length).toBeGreaterThan(0);
  });

  it('knows every /api/ route as public or bearer, and a session alone gets 401', async () => {
    const api = routes.filter((route) => route.url.startsWith('/api/'));
    const keys = new Set(api.map(keyOf));
    for (const key of Object.keys(BEARER)) expect(keys, key).toContain(key);
    for (const route of api) {
      const key = keyOf(route);
      expect(key in PUBLIC || key in BEARER, `${key} is neither public nor bearer`).toBe(true);
      if (!(key in BEARER)) continue;
      const response = await send(as.admin, route);
      expect(response.statusCode, `signed-in ${label(route)}`).toBe(401);
      if (route.method !== 'HEAD') expect(response.json(), label(route)).toHaveProperty('error');
    }
  });

  it('has a permission on every route of the folders that need one', () => {
    for (const route of routes) {
      for (const [folder, permission] of Object.entries(FOLDER_PERMISSIONS)) {
        if (route.url !== folder && !route.url.startsWith(`${folder}/`)) continue;
        if (permission === 'any') expect(route.permission, label(route)).toBeTruthy();
        else expect(route.permission, label(route)).toBe(permission);
      }
    }
  });

  it('sends a signed-out request to sign-in on every route that is not public', async () => {
    for (const route of guarded()) {
      if (route.url.startsWith('/api/')) {
        const api = await send(null, route);
        expect(api.statusCode, label(route)).toBe(401);
        if (route.method !== 'HEAD') expect(api.json(), label(route)).toHaveProperty('error');
        continue;
      }
      const page = await send(null, route);
      expect(page.statusCode, label(route)).toBe(303);
      expect(page.headers.location, label(route)).toMatch(/^\/sign-in/);
      if (route.method === 'HEAD') continue;
      const swap = await send(null, route, { 'hx-request': 'true' });
      expect(swap.statusCode, `htmx ${label(route)}`).toBe(401);
      expect(swap.headers['hx-redirect'], `htmx ${label(route)}`).toMatch(/^\/sign-in/);
    }
  });

  it('refuses a role without the permission a route declares, page, fragment and form alike', async () => {
    const withPermission = guarded().filter((route) => route.permission);
    expect(withPermission.length).toBeGreaterThan(0);
    for (const route of withPermission) {
      const permission = route.permission as string;
      for (const role of ['staff', 'external', 'champion'] as const) {
        const browser = as[role];
        const holds =
          (await t.app.db
            .selectFrom('role_permissions')
            .innerJoin('roles', 'roles.id', 'role_permissions.role_id')
            .select('permission')
            .where('roles.key', '=', role)
            .where('permission', '=', permission)
            .executeTakeFirst()) !== undefined;
        if (holds) continue;
        const what = `${role} ${label(route)}`;
        expect((await send(browser, route)).statusCode, what).toBe(403);
        if (route.method !== 'HEAD') {
          expect((await send(browser, route, { 'hx-request': 'true' })).statusCode, what).toBe(403);
        }
      }
      // Someone with the permission gets past the guard (a page may still be 404 for id 1).
      if (route.method === 'GET') {
        const allowed = await send(as.admin, route);
        expect([200, 303, 404], `admin ${label(route)}`).toContain(allowed.statusCode);
        expect(String(allowed.headers.location ?? ''), label(route)).not.toMatch(/^\/sign-in/);
      }
    }
  });

  it('refuses External support every signed-in route outside its short list, page, fragment and form', async () => {
    const keys = new Set(routes.map(keyOf));
    for (const key of EXTERNAL_ROUTES) expect(keys, key).toContain(key);
    for (const route of guarded()) {
      if (EXTERNAL_ROUTES.has(keyOf(route)) || route.url.startsWith('/api/')) continue;
      const what = `external ${label(route)}`;
      expect((await send(as.external, route)).statusCode, what).toBe(403);
      if (route.method !== 'HEAD') {
        expect((await send(as.external, route, { 'hx-request': 'true' })).statusCode, what).toBe(
          403,
        );
      }
    }
  });

  it('lets any signed-in person through the pages that declare no permission', async () => {
    for (const route of guarded()) {
      if (route.permission || route.method !== 'GET' || route.url.startsWith('/api/')) continue;
      const response = await send(as.staff, route);
      expect(response.statusCode, label(route)).not.toBe(401);
      expect(response.statusCode, label(route)).not.toBe(403);
      expect(String(response.headers.location ?? ''), label(route)).not.toMatch(/^\/sign-in/);
    }
  });
});

/**
 * The browser keeps no copy of PHI pages: signed-in pages send
 * Cache-Control: no-store, and htmx keeps no history snapshot. htmx 4 core has
 * no localStorage/sessionStorage history cache at all; only the opt-in
 * ext/hx-history-cache.js (or the htmax bundle) has one, and hushdesk loads
 * neither.
 */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no copy of PHI pages in the browser', () => {
  it('loads htmx core and our own scripts only: no history-cache extension', () => {
    const layout = readFileSync(join(ROOT, 'views', 'layout.eta'), 'utf8');
    expect([...layout.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '/vendor/htmx/htmx.min.js',
      '/static/js/app.js',
      '/static/js/session.js',
      '/static/js/attachments.js',
      '/static/js/staff-picker.js',
    ]);
    for (const file of [...filesUnder(join(ROOT, 'views')), ...filesUnder(join(ROOT, 'public'))]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(
        /history-cache|historyCache|htmax|localStorage|sessionStorage/,
      );
    }
  });

  it('serves no htmx file but the core build', async () => {
    for (const path of ['ext/hx-history-cache.js', 'htmax.js', 'htmx.js', 'htmx.esm.js']) {
      expect((await t.app.inject({ url: `/vendor/htmx/${path}` })).statusCode).toBe(404);
    }
    expect((await t.app.inject({ url: '/vendor/htmx/htmx.min.js' })).statusCode).toBe(200);
  });

  it('sends Cache-Control: no-store on signed-in pages and fragments', async () => {
    const ann = as.admin;
    for (const url of [
      '/',
      '/audit',
      '/profile/two-factor',
      '/settings/security',
      '/no-such-page',
    ]) {
      expect((await ann.get(url)).headers['cache-control'], url).toBe('no-store');
    }
    expect((await ann.htmx('GET', '/audit')).headers['cache-control']).toBe('no-store');
  });
});
