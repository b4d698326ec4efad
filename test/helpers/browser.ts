import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { addStaff, createTestApp, PASSWORD, type StaffOptions, type TestApp } from './app.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests run wherever Chromium is installed. On CI a missing Chromium is
 * a failure, not a skip: .ci/run installs it, so its absence means a broken run.
 */
export const haveChromium = existsSync(CHROMIUM) || process.env.CI === 'true';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface LiveApp extends TestApp {
  url: string;
}

/** The real app listening on a random loopback port, for a real browser. */
export async function startLiveApp(env: Record<string, string> = {}): Promise<LiveApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ PORT: String(port), BASE_URL: url, ...env });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { ...t, url };
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}; .ci/run installs it (apt-get install -y chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A live app and one Chromium, shared by the tests of a describe block. */
export interface LiveChromium {
  live: LiveApp;
  browser: Browser;
  /** The staff id of someone the set-up added. */
  id(username: string): number;
  /**
   * A fresh browser context and page, signed in as `username` through the page;
   * `errors` gathers the page's script errors and console errors from then on.
   */
  signedIn(
    username: string,
    options?: BrowserContextOptions,
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
}

/** The page's script errors and console errors, gathered as they happen. */
export function trackErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/**
 * The set-up every browser test shares: within the calling describe block, a
 * live app with these staff (added in order) and one Chromium, both closed
 * after its tests. `setUp` runs on the live app before Chromium starts; `env`
 * may be a function, read when the app starts (after earlier `beforeAll`s, so
 * it can name a server one of them started).
 */
export function useLiveChromium(
  staff: Record<string, StaffOptions>,
  options: {
    env?: Record<string, string> | (() => Record<string, string>);
    setUp?: (live: LiveApp) => Promise<void>;
    /** For a set-up that builds much (ms); vitest's hook timeout otherwise. */
    timeout?: number;
  } = {},
): LiveChromium {
  const session = {} as LiveChromium;
  const ids = new Map<string, number>();
  session.id = (username) => {
    const id = ids.get(username);
    if (id === undefined) throw new Error(`${username} was not added by useLiveChromium`);
    return id;
  };
  session.signedIn = async (username, contextOptions) => {
    const context = await session.browser.newContext(contextOptions);
    const page = await context.newPage();
    const errors = trackErrors(page);
    await signInAs(page, session.live.url, username);
    return { context, page, errors };
  };
  beforeAll(async () => {
    const env = typeof options.env === 'function' ? options.env() : options.env;
    session.live = await startLiveApp(env);
    for (const [username, person] of Object.entries(staff)) {
      ids.set(username, (await addStaff(session.live.app, username, person)).id);
    }
    await options.setUp?.(session.live);
    session.browser = await launchChromium();
  }, options.timeout);
  afterAll(async () => {
    await session.browser?.close();
    await session.live?.close();
  });
  return session;
}

/** Signs in through the page, as a person would. */
export async function signInAs(page: Page, url: string, username: string, password = PASSWORD) {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

/** The axe violations on the page as it stands, one line each: rule and where. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Zero axe violations on the page as it stands; `what` names it in a failure. */
export async function expectNoAxeViolations(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
}
