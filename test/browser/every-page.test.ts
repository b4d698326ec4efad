import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/auth/totp.js';
import { setSetting } from '../../src/repositories/settings.js';
import { createSetupLink } from '../../src/staff/setup.js';
import { PASSWORD, signIn } from '../helpers/app.js';
import {
  haveChromium,
  type LiveApp,
  signInAs,
  startLiveApp,
  useLiveChromium,
} from '../helpers/browser.js';
import { makeImage, postFiles } from '../helpers/multipart.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * Every page a person can reach and every dialog, at desktop and phone width:
 * zero axe violations (WCAG 2.0, 2.1 and 2.2, A and AA) and, at 390 px, a page
 * no wider than the phone. The pages come from the app's route table, so a
 * GET route added later is walked too, or this file fails until it says why
 * that route is not a page.
 */

const WIDTHS = [1280, 390] as const;
const PHONE = 390;
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
/** A navigation that takes longer than this is a hang: fail with the page's name. */
const NAVIGATION_MS = 20_000;
/** A whole walk's limit: generous, for a machine busy with other work; only a hang meets it. */
const WALK_MS = 600_000;
/** HUSHDESK_SHOTS=<dir> keeps a screenshot of each page and dialog, for a person to look at. */
const SHOTS = process.env.HUSHDESK_SHOTS;

/** GET routes that are not pages a person reads, each with the reason. */
const NOT_PAGES: Record<string, string> = {
  '/static/*': 'the stylesheet, scripts and icon',
  '/vendor/htmx/*': 'htmx itself',
  '/metrics': 'Prometheus counts, plain text',
  '/healthz': 'a monitor’s check, plain text',
  '/api/v1/openapi.json': 'JSON for programs',
  '/api/v1/tickets/:number': 'JSON for programs',
  '/sign-in/sso': 'a redirect to the agency’s provider',
  '/sign-in/sso/callback': 'the provider’s redirect back; it lands on a page walked here',
  '/sign-out/sso': 'a redirect to the provider’s sign-out',
  '/tickets/:id/attachments/:attachmentId': 'the attached file itself',
  '/tickets/:id/attachments/:attachmentId/thumbnail': 'an image',
  '/audit/export.csv': 'a CSV download',
  '/reports/export.csv': 'a CSV download',
  '/session': 'JSON the page’s own script reads',
};
/** The Help button's script has a hashed name; it is a script, not a page. */
const isHelpButtonScript = (url: string) => /^\/help\/button-[0-9a-f]+\.js$/.test(url);

type Role = 'admin' | 'staff' | 'champion' | 'external';

/** What the set-up made, for the routes with parameters. */
interface World {
  ticket: number;
  escalated: number;
  note: number;
  staffMember: number;
  deactivated: number;
  role: number;
  outboxMessage: number;
  apiToken: number;
  resetPath: string;
}

/** Concrete paths for routes with parameters, and who walks routes not every role sees. */
const PATHS: Record<string, (w: World) => string> = {
  '/tickets/:id': (w) => `/tickets/${w.ticket}`,
  '/tickets/:id/notes/:noteId/edit': (w) => `/tickets/${w.ticket}/notes/${w.note}/edit`,
  '/staff/:id': (w) => `/staff/${w.staffMember}`,
  '/staff/:id/deactivate': (w) => `/staff/${w.staffMember}/deactivate`,
  '/staff/:id/reactivate': (w) => `/staff/${w.deactivated}/reactivate`,
  '/roles/:id': (w) => `/roles/${w.role}`,
  '/outbox/:id': (w) => `/outbox/${w.outboxMessage}`,
  '/settings/api-tokens/:id/revoke': (w) => `/settings/api-tokens/${w.apiToken}/revoke`,
  '/help/tickets/:id/created': (w) => `/help/tickets/${w.ticket}/created`,
  '/help/new': () => '/help/new?host=ehr.agency.example&path=%2Fclients%2Fsearch',
  '/reset/:token': (w) => w.resetPath,
};
/** Routes a signed-out person reads; the rest are walked signed in as the administrator. */
const SIGNED_OUT = new Set(['/sign-in', '/reset/:token', '/sign-in/two-factor', '/setup/:token']);
/** Walked in their own tests below: they need a state the walk cannot reach by address. */
const ELSEWHERE: Record<string, string> = {
  '/setup/:token': 'needs a store with nobody in it',
  '/sign-in/two-factor': 'needs a sign-in halfway through',
};

/** The same pages as other roles see them: their lists, a ticket, their profile. */
const ROLE_PAGES: Record<Exclude<Role, 'admin'>, (w: World) => string[]> = {
  staff: (w) => ['/', `/tickets/${w.ticket}`, '/tickets/new', '/profile'],
  champion: (w) => ['/', '/tickets', `/tickets/${w.ticket}`, '/tickets/new', '/reports'],
  external: (w) => ['/', `/tickets/${w.escalated}`, '/profile'],
};

interface Walk {
  failures: { push(failure: string): void };
  shot(page: Page, name: string): Promise<void>;
}

/**
 * Each finding is a soft expectation: the walk goes on, and the report lists
 * every page and rule at once (even when a slow machine runs out of time).
 */
function startWalk(): Walk {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  return {
    failures: { push: (failure) => expect.soft(failure).toBeUndefined() },
    async shot(page, name) {
      if (!SHOTS) return;
      const file = name.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '');
      await page.screenshot({ path: join(SHOTS, `${file}.png`), fullPage: true });
    },
  };
}

/** The page's script errors and CSP refusals, kept per page so a failure can name them. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A refused form's 422 is logged as a failed load; answers are judged by status instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text());
    }
  });
  return errors;
}

/** Axe at both widths, and the phone's width held, on what the page shows now. */
async function checkWidths(walk: Walk, page: Page, what: string, within?: Locator): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === PHONE ? 844 : 900 });
    const name = `${what} at ${width} px`;
    let builder = new AxeBuilder({ page }).withTags(WCAG);
    if (within) builder = builder.include(await selectorOf(within));
    const result = await builder.analyze();
    for (const violation of result.violations) {
      const where = violation.nodes.map((n) => n.target.join(' ')).join(', ');
      walk.failures.push(`${name}: ${violation.id} (${violation.help}) at ${where}`);
    }
    if (width === PHONE) {
      const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      if (wide > PHONE) walk.failures.push(`${name}: the page is ${wide} px wide`);
    }
    await walk.shot(page, name);
  }
}

/** A dialog's id, for axe to look inside it alone. */
async function selectorOf(locator: Locator): Promise<string> {
  const id = await locator.getAttribute('id');
  if (!id) throw new Error('a dialog checked alone needs an id');
  return `#${id}`;
}

/** Fills and sends the sign-in form, wherever it then leads. */
async function submitSignIn(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/sign-in`, { timeout: NAVIGATION_MS });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens a path, failing with its name if it hangs or does not answer 200. */
async function visit(walk: Walk, page: Page, base: string, path: string, who: string) {
  const errors = watchErrors(page);
  try {
    const response = await page.goto(`${base}${path}`, { timeout: NAVIGATION_MS });
    const status = response?.status();
    if (status !== 200) {
      walk.failures.push(`${who} ${path}: answered ${status} at ${new URL(page.url()).pathname}`);
      return false;
    }
  } catch (error) {
    walk.failures.push(`${who} ${path}: did not load (${(error as Error).message.split('\n')[0]})`);
    return false;
  }
  await checkWidths(walk, page, `${who} ${path}`);
  for (const error of errors) walk.failures.push(`${who} ${path}: ${error}`);
  page.removeAllListeners('pageerror');
  page.removeAllListeners('console');
  return true;
}

describe.runIf(haveChromium)('in Chromium: every page and dialog, at 1280 and 390 px', () => {
  const world = {} as World;
  const s = useLiveChromium(
    {
      ada: { name: 'Ada Administrator-Longname', role: 'admin', department: 'Front office' },
      bo: { name: 'Bo Chen', department: 'Billing and claims coordination' },
      cy: { name: 'Cy Diaz', role: 'champion', department: 'Clinical' },
      pat: { name: 'Pat Vendor', role: 'external' },
      gil: { name: 'Gil Garcia', department: 'Billing' },
      dee: { name: 'Dee Former', department: 'Intake' },
    },
    {
      async setUp(live) {
        await seed(live, world, s.id);
      },
    },
  );

  async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page }> {
    return s.signedIn(username, { viewport: { width: 1280, height: 900 } });
  }

  it('knows every GET route as a page it walks or as something else, with the reason', () => {
    for (const route of getRoutes(s.live)) {
      if (route in NOT_PAGES || isHelpButtonScript(route)) continue;
      if (route.includes(':')) expect(PATHS[route] ?? ELSEWHERE[route], route).toBeDefined();
    }
    for (const route of [...Object.keys(NOT_PAGES), ...Object.keys(PATHS)]) {
      expect(getRoutes(s.live), `${route} is listed here but no longer a route`).toContain(route);
    }
  });

  // In parts, so each stays well inside its time limit on a busy machine.
  const PARTS = 3;
  for (let part = 0; part < PARTS; part++) {
    it(
      `the administrator’s pages, part ${part + 1} of ${PARTS}`,
      async () => {
        const walk = startWalk();
        const { context, page } = await signedIn('ada');
        const routes = getRoutes(s.live).filter(
          (route) =>
            !(route in NOT_PAGES || isHelpButtonScript(route)) &&
            !(SIGNED_OUT.has(route) || route in ELSEWHERE),
        );
        for (const [index, route] of routes.entries()) {
          if (index % PARTS !== part) continue;
          await visit(walk, page, s.live.url, PATHS[route]?.(world) ?? route, 'admin');
        }
        if (part === 0) {
          // The answer a person meets for a page that is not there.
          await page.goto(`${s.live.url}/no-such-page`, { timeout: NAVIGATION_MS });
          await checkWidths(walk, page, 'admin not found');
        }
        await context.close();
      },
      WALK_MS,
    );
  }

  it(
    'the pages other roles see differently',
    async () => {
      const walk = startWalk();
      const users: Record<Exclude<Role, 'admin'>, string> = {
        staff: 'bo',
        champion: 'cy',
        external: 'pat',
      };
      for (const [role, paths] of Object.entries(ROLE_PAGES)) {
        const { context, page } = await signedIn(users[role as keyof typeof users]);
        for (const path of paths(world)) await visit(walk, page, s.live.url, path, role);
        await context.close();
      }
    },
    WALK_MS,
  );

  it(
    'the signed-out pages: sign-in, a refused sign-in, a password link',
    async () => {
      const walk = startWalk();
      const context = await s.browser.newContext();
      const page = await context.newPage();
      for (const route of SIGNED_OUT) {
        if (route in ELSEWHERE) continue;
        await visit(walk, page, s.live.url, PATHS[route]?.(world) ?? route, 'signed out');
      }
      await submitSignIn(page, s.live.url, 'ada', 'not the password');
      await page.getByRole('alert').first().waitFor();
      await checkWidths(walk, page, 'signed out refused sign-in');
      await context.close();
    },
    WALK_MS,
  );

  it(
    'two-step sign-in: enrolment, recovery codes, the code page',
    async () => {
      const walk = startWalk();
      const { context, page } = await signedIn('gil');
      await page.goto(`${s.live.url}/profile/two-factor`, { timeout: NAVIGATION_MS });
      await page.getByRole('button', { name: /Set up|Turn on|Start/i }).click();
      const secret = (await page.locator('.secret code').textContent())?.replace(/\s/g, '') ?? '';
      expect(secret).not.toBe('');
      await checkWidths(walk, page, 'staff two-factor enrolment');
      await page
        .getByLabel(/code/i)
        .first()
        .fill(totpCode(secret, totpStep(s.live.app.now())));
      await page.getByRole('button', { name: /Confirm|Turn on/i }).click();
      await page
        .getByText(/recovery codes/i)
        .first()
        .waitFor();
      await checkWidths(walk, page, 'staff two-factor recovery codes');
      await context.clearCookies();
      await submitSignIn(page, s.live.url, 'gil', PASSWORD);
      await page.waitForURL((u) => u.pathname === '/sign-in/two-factor', {
        timeout: NAVIGATION_MS,
      });
      await checkWidths(walk, page, 'signed out two-step code');
      await context.close();
    },
    WALK_MS,
  );

  it(
    'the dialogs: the ticket window, its errors, the pick list, the title guard',
    async () => {
      const walk = startWalk();
      const { context, page } = await signedIn('ada');
      const errors = watchErrors(page);
      await page.getByRole('link', { name: 'Help' }).click();
      const dialog = page.getByRole('dialog', { name: 'New ticket' });
      await dialog.waitFor();
      await checkWidths(walk, page, 'admin ticket window');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByRole('alert').first().waitFor();
      await checkWidths(walk, page, 'admin ticket window refused');
      await dialog.getByLabel('Title', { exact: true }).fill('Client seen 11/20 printer');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog
        .getByText(/holds no client information/i)
        .first()
        .waitFor();
      await checkWidths(walk, page, 'admin ticket window title guard');
      await dialog
        .getByRole('button', { name: /pick list/i })
        .first()
        .click();
      const pickList = page.getByRole('dialog', { name: /Assigned To/ });
      await pickList.waitFor();
      await checkWidths(walk, page, 'admin pick list');
      for (const error of errors) walk.failures.push(`admin dialogs: ${error}`);
      await context.close();
    },
    WALK_MS,
  );

  it(
    'the first-run page: the setup link, on a store with nobody in it',
    async () => {
      const empty = await startLiveApp();
      try {
        const link = await createSetupLink(empty.app.db, empty.url, empty.app.now());
        if (!link) throw new Error('no setup link on an empty store');
        const context = await s.browser.newContext();
        await visit(
          startWalk(),
          await context.newPage(),
          empty.url,
          new URL(link).pathname,
          'first run',
        );
        await context.close();
      } finally {
        await empty.close();
      }
    },
    WALK_MS,
  );

  // Last: it moves the server's clock, which ends every other session.
  it(
    'the session dialogs: the warning before the idle timeout, and the session ended',
    async () => {
      const walk = startWalk();
      const context = await s.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.clock.install();
      await signInAs(page, s.live.url, 'ada');
      // From the home page, and only once nothing more is loading: a request the page
      // is still making when the server's clock moves counts as activity and puts the
      // warning off. From a ticket page this step failed now and then, on both stores.
      await page.goto(`${s.live.url}/`, { timeout: NAVIGATION_MS });
      await page.waitForLoadState('networkidle');
      s.live.clock.advanceMinutes(14);
      await page.clock.fastForward('14:00');
      await page.getByRole('dialog', { name: 'Still there?' }).waitFor();
      await checkWidths(walk, page, 'admin session warning');
      s.live.clock.advanceMinutes(2);
      await page.clock.fastForward('02:00');
      await page.getByRole('dialog', { name: 'Your session ended' }).waitFor();
      await checkWidths(walk, page, 'admin session ended');
      await context.close();
    },
    WALK_MS,
  );
});

/** The GET routes, as registered. */
function getRoutes(live: LiveApp): string[] {
  return [
    ...new Set(
      live.app
        .routeTable()
        .filter((r) => r.method === 'GET')
        .map((r) => r.url),
    ),
  ];
}

/** A day's worth of work, through the app's own forms: tickets, a note, a file, an escalation. */
async function seed(live: LiveApp, world: World, id: (username: string) => number) {
  const now = live.app.now();
  await setSetting(live.app.db, 'escalation_desk_name', 'Procentive Support', null, now);
  await setSetting(live.app.db, 'escalation_desk_email', 'support@vendor.example', null, now);
  const admin = await signIn(live.app, 'ada');
  const staff = await signIn(live.app, 'bo');
  const champion = await signIn(live.app, 'cy');

  world.ticket = await createTicket(staff, {
    title: 'Claims export fails every morning with a long title that wraps on a phone',
    description: 'Client 4471, DOS 11/20: the export stops at row 12.',
    priority: 'high',
    due_date: '2026-11-28',
    assignee: String(id('cy')),
  });
  for (const title of ['Printer in billing jams', 'Scanner drivers', 'Fax line down']) {
    await createTicket(staff, { title, priority: 'crisis' });
  }
  world.escalated = await createTicket(champion, {
    title: 'Scheduler shows the wrong week',
    send_to_desk: '1',
  });
  await admin.get(`/tickets/${world.ticket}`);
  const noted = await postFiles(
    admin,
    `/tickets/${world.ticket}/notes`,
    { note: 'Restarted the export service; watching tomorrow’s run.' },
    [{ name: 'export-error.png', bytes: await makeImage(), type: 'image/png' }],
  );
  expect(noted.statusCode, noted.body.slice(0, 300)).toBe(303);
  world.note = (
    await live.app.db
      .selectFrom('ticket_notes')
      .select('id')
      .where('ticket_id', '=', world.ticket)
      .executeTakeFirstOrThrow()
  ).id;

  world.staffMember = id('bo');
  world.deactivated = id('dee');
  await admin.get(`/staff/${world.deactivated}/deactivate`);
  const deactivated = await admin.post(`/staff/${world.deactivated}/deactivate`, {});
  expect(deactivated.statusCode).toBe(303);

  world.role = (
    await live.app.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'champion')
      .executeTakeFirstOrThrow()
  ).id;
  world.outboxMessage = (
    await live.app.db.selectFrom('outbox').select('id').orderBy('id').executeTakeFirstOrThrow()
  ).id;

  await admin.get('/settings/api-tokens');
  await admin.post('/settings/api-tokens', { name: 'Nightly claims import' });
  world.apiToken = (
    await live.app.db.selectFrom('api_tokens').select('id').executeTakeFirstOrThrow()
  ).id;

  await admin.get(`/staff/${world.staffMember}`);
  const linkPage = await admin.post(`/staff/${world.staffMember}/password-link`);
  const link = /id="link" class="wide" value="([^"]+)"/.exec(linkPage.body)?.[1];
  if (!link) throw new Error('no password link on the page');
  world.resetPath = new URL(link).pathname;
}
