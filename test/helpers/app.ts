import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { buildApp } from '../../src/build.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { OutboxOptions } from '../../src/decorators/outbox.js';
import { createStaff, type RoleKey } from '../../src/repositories/staff.js';
import { CookieJar, csrfTokenIn } from './cookie-jar.js';
import { createTestDatabase, type TestDatabase, testServerUrl } from './store.js';

/** A clock tests can move forward, read by every rule about time. */
export class TestClock {
  private ms: number;
  constructor(start = Date.parse('2026-11-27T15:00:00Z')) {
    this.ms = start;
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  clock: TestClock;
  dataDir: string;
  /** Closes the app and builds it again over the same DATA_DIR, as a restart would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real app over a fresh DATA_DIR: a real SQLite file, migrated by the real
 * migrator; or, when HUSHDESK_TEST_DATABASE_URL is set, a fresh PostgreSQL
 * database of its own (a copy of the migrated template), dropped at close.
 * The outbox worker does not poll unless asked: tests run its passes with
 * `app.outbox.runOnce()`, so what they see never depends on timing.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { outbox?: OutboxOptions } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hushdesk-test-'));
  const database: TestDatabase | null =
    testServerUrl && !('DATABASE_URL' in env) ? await createTestDatabase() : null;
  const config = loadConfig({
    DATA_DIR: dataDir,
    ...(database ? { DATABASE_URL: database.url } : {}),
    LOG_LEVEL: 'silent',
    TZ: 'America/Chicago',
    BASE_URL: 'http://localhost:3000',
    ...env,
  });
  const clock = new TestClock();
  const build = () =>
    buildApp({ config, now: clock.now, outbox: { pollMs: 0, ...options.outbox } });
  const testApp: TestApp = {
    app: await build(),
    config,
    clock,
    dataDir,
    async restart() {
      await testApp.app.close();
      testApp.app = await build();
    },
    async close() {
      await testApp.app.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}

export const PASSWORD = 'correct horse battery staple';

export async function addStaff(
  app: FastifyInstance,
  username: string,
  options: { name?: string; role?: RoleKey; department?: string; password?: string } = {},
) {
  return createStaff(
    app.db,
    {
      name: options.name ?? username[0]?.toUpperCase() + username.slice(1),
      username,
      email: `${username}@example.org`,
      roleKey: options.role ?? 'staff',
      department: options.department ?? null,
      passwordHash: await hashPassword(options.password ?? PASSWORD),
    },
    app.now(),
  );
}

export type StaffOptions = NonNullable<Parameters<typeof addStaff>[2]>;

/**
 * The set-up most test files share: a fresh app with these people on the
 * staff, added in the order given (so their ids follow it).
 */
export async function createTestAppWith(
  staff: Record<string, StaffOptions>,
  env: Record<string, string> = {},
  options: { outbox?: OutboxOptions } = {},
): Promise<TestApp> {
  const testApp = await createTestApp(env, options);
  for (const [username, person] of Object.entries(staff)) {
    await addStaff(testApp.app, username, person);
  }
  return testApp;
}

type Form = Record<string, string | string[]>;

/**
 * Speaks HTTP to the app as one browser would: keeps cookies, and sends the
 * CSRF token it last saw on a page with every form it posts.
 */
export class Browser {
  private readonly cookies = new CookieJar();
  csrf = '';

  constructor(readonly app: FastifyInstance) {}

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const cookie = this.cookies.header();
    const response = await this.app.inject({
      ...options,
      headers: { ...(cookie ? { cookie } : {}), ...(options.headers ?? {}) },
    });
    this.cookies.take(response.headers['set-cookie']);
    const token = csrfTokenIn(response.body);
    if (token) this.csrf = token;
    return response;
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request({ method: 'GET', url, headers });
  }

  /** Posts a form the way a browser does, with the page's CSRF token unless one is given. */
  post(url: string, form: Form = {}, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    if (!('_csrf' in form)) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) {
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    }
    return this.request({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  /** An htmx request: the header htmx sends, and the CSRF token as htmx sends it. */
  htmx(method: 'GET' | 'POST', url: string, form: Form = {}) {
    const headers = { 'hx-request': 'true', 'x-csrf-token': this.csrf };
    if (method === 'GET') return this.get(url, headers);
    return this.post(url, { _csrf: '', ...form }, headers);
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** Signs in through the real sign-in form and returns the browser holding the session. */
export async function signIn(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
): Promise<Browser> {
  const browser = new Browser(app);
  await browser.get('/sign-in');
  const response = await browser.post('/sign-in', { username, password });
  if (response.statusCode !== 303) {
    throw new Error(`sign-in as ${username} answered ${response.statusCode}`);
  }
  await browser.get('/');
  return browser;
}

/** Ann Lee, an administrator: the first person of most test files. */
export const ANN_ADMIN: Record<string, StaffOptions> = { ann: { name: 'Ann Lee', role: 'admin' } };

/**
 * Within the calling file: an app with these staff, built before its tests and
 * closed after them. `setUp` adds what the file needs (people signed in, tickets);
 * what it returns sits beside `t` on the object returned here, filled in by the
 * time the tests run.
 */
export function useTestAppWith<Extra extends object = object>(
  staff: Record<string, StaffOptions>,
  setUp?: (t: TestApp) => Promise<Extra>,
): { t: TestApp } & Extra {
  const world = {} as { t: TestApp } & Extra;
  beforeAll(async () => {
    world.t = await createTestAppWith(staff);
    if (setUp) Object.assign(world, await setUp(world.t));
  });
  afterAll(() => world.t?.close());
  return world;
}

/** An app with these staff and the administrator, Ann, signed in as `admin`. */
export function useAdminApp(staff: Record<string, StaffOptions> = ANN_ADMIN) {
  return useTestAppWith(staff, async (t) => ({ admin: await signIn(t.app, 'ann') }));
}

/**
 * The staff pages' agency (an administrator, a biller and a champion, in three
 * departments) with the administrator, Ann, signed in.
 */
export function useStaffPagesApp() {
  return useAdminApp({
    ann: { name: 'Ann Lee', role: 'admin', department: 'Front office' },
    bo: { name: 'Bo Chen', department: 'Billing' },
    cy: { name: 'Cy Diaz', role: 'champion', department: 'Clinical' },
  });
}
