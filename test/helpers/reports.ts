import { expect } from 'vitest';
import { setSetting } from '../../src/repositories/settings.js';
import { addStaff, type Browser, signIn, type TestApp } from './app.js';
import { readable } from './pages.js';
import { createTicket } from './tickets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ReportWorld {
  /** Signed in: Ann (admin), Cam (champion), Sam (staff), Bea (staff, billing coordinator). */
  ann: Browser;
  cam: Browser;
  sam: Browser;
  bea: Browser;
  ids: Record<'ann' | 'cam' | 'sam' | 'bea', number>;
  tickets: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H', number>;
}

/**
 * Tickets whose report figures are counted by hand, made through the real
 * forms as the test clock moves. The clock starts at T0 = 2026-11-27 15:00 UTC
 * (09:00 in Chicago) and ends at T0 + 40 days (2027-01-06 09:00 in Chicago).
 *
 * | ticket | opened by, when | priority | assignee | what happens                                    | at the end              |
 * | A      | Sam, T0         | High     | Cam      | Cam: In progress T0+1d, sent T0+2d, Complete T0+3d | complete                |
 * | B      | Sam, T0         | Crisis   | Cam      | Cam: note T0+30m, Complete T0+60m               | complete                |
 * | C      | Sam, T0         | Low      | Bea      | due T0+5d; Sam's own note T0+2d; Bea: In progress T0+3d; sent T0+4d | open, over a month, past target, overdue |
 * | D      | Cam, T0         | Medium   | Cam      | nothing                                         | open, over a month, past target |
 * | E      | Sam, T0         | None     | Sam      | nothing                                         | open, over a month      |
 * | H      | Sam, T0+20d     | Future   | Cam      | nothing                                         | open, a week to a month |
 * | G      | Sam, T0+37d     | High     | Bea      | nothing                                         | open, a day to a week, past target |
 * | F      | Sam, T0+40d-2h  | High     | Cam      | nothing                                         | open, under a day       |
 *
 * Departments: Ann Administration, Cam and Bea Billing, Sam Intake. Bea's name
 * starts with "=", as a formula would in a spreadsheet.
 */
export async function buildReportWorld(t: TestApp): Promise<ReportWorld> {
  const ann = await addStaff(t.app, 'ann', { role: 'admin', department: 'Administration' });
  const cam = await addStaff(t.app, 'cam', {
    name: 'Cam Champion',
    role: 'champion',
    department: 'Billing',
  });
  const sam = await addStaff(t.app, 'sam', { name: 'Sam Staff', department: 'Intake' });
  const bea = await addStaff(t.app, 'bea', { name: '=Bea Billing', department: 'Billing' });
  const now = t.app.now();
  await setSetting(t.app.db, 'billing_coordinator_id', bea.id, null, now);
  await setSetting(t.app.db, 'escalation_desk_name', 'Outside Desk', null, now);
  await setSetting(t.app.db, 'escalation_desk_email', 'desk@example.org', null, now);

  const browsers = {
    ann: await signIn(t.app, 'ann'),
    cam: await signIn(t.app, 'cam'),
    sam: await signIn(t.app, 'sam'),
    bea: await signIn(t.app, 'bea'),
  };
  const { sam: s, cam: c } = browsers;
  const start = t.app.now().getTime();
  const at = async (offset: number) => {
    t.clock.advance(start + offset - t.app.now().getTime());
    // Sessions end when idle: each step signs in again as it would after a break.
    for (const key of ['ann', 'cam', 'sam', 'bea'] as const) {
      browsers[key] = await signIn(t.app, key);
    }
  };
  const status = async (browser: Browser, id: number, value: string) => {
    const response = await browser.post(`/tickets/${id}/status`, { status: value });
    expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(400);
  };
  const note = async (browser: Browser, id: number) => {
    const response = await browser.post(`/tickets/${id}/notes`, { note: 'Looked into it.' });
    expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(400);
  };
  const send = async (browser: Browser, id: number) => {
    const response = await browser.post(`/tickets/${id}/escalate`, {});
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
  };

  const A = await createTicket(s, {
    title: 'Scheduler is slow',
    priority: 'high',
    assignee: String(cam.id),
  });
  const B = await createTicket(s, {
    title: 'Billing module down',
    priority: 'crisis',
    assignee: String(cam.id),
  });
  const C = await createTicket(s, {
    title: 'Statement layout is off',
    priority: 'low',
    assignee: String(bea.id),
    due_date: '2026-12-02',
  });
  const D = await createTicket(c, {
    title: 'Review the claim rules',
    priority: 'medium',
    assignee: 'self',
  });
  const E = await createTicket(s, {
    title: 'New chair for the front desk',
    priority: 'none',
    assignee: 'self',
  });

  await at(30 * MINUTE);
  await note(browsers.cam, B);
  await at(60 * MINUTE);
  await status(browsers.cam, B, 'complete');
  await at(1 * DAY);
  await status(browsers.cam, A, 'in_progress');
  await at(2 * DAY);
  await note(browsers.sam, C);
  await send(browsers.cam, A);
  await at(3 * DAY);
  await status(browsers.bea, C, 'in_progress');
  await status(browsers.cam, A, 'complete');
  await at(4 * DAY);
  await send(browsers.cam, C);
  await at(20 * DAY);
  const H = await createTicket(browsers.sam, {
    title: 'Plan the spring training',
    priority: 'future',
    assignee: String(cam.id),
  });
  await at(37 * DAY);
  const G = await createTicket(browsers.sam, {
    title: 'Fax line drops calls',
    priority: 'high',
    assignee: String(bea.id),
  });
  await at(40 * DAY - 2 * HOUR);
  const F = await createTicket(browsers.sam, {
    title: 'Label printer jams',
    priority: 'high',
    assignee: String(cam.id),
  });
  await at(40 * DAY);
  return {
    ...browsers,
    ids: { ann: ann.id, cam: cam.id, sam: sam.id, bea: bea.id },
    tickets: { A, B, C, D, E, F, G, H },
  };
}

/** The rows of one report's table on the page, as text: header cells, then data cells. */
export function tableOf(html: string, key: string): string[][] {
  const section =
    new RegExp(
      `<section class="report" aria-labelledby="${key}-heading">([\\s\\S]*?)</section>`,
    ).exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      readable((cell[1] ?? '').replace(/<[^>]+>/g, '').trim()),
    ),
  );
}
