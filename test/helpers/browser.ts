import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from './app.js';

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
