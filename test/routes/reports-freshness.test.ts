import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updatePriorityTarget } from '../../src/repositories/priorities.js';
import { updateStaff } from '../../src/repositories/staff.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { readable } from '../helpers/pages.js';
import { tableOf } from '../helpers/reports.js';
import { createTicket } from '../helpers/tickets.js';

let t: TestApp;
let cam: Browser;
let sam: Browser;
let ticket: number;

beforeAll(async () => {
  t = await createTestApp();
  await addStaff(t.app, 'cam', { name: 'Cam Champion', role: 'champion' });
  await addStaff(t.app, 'sam', { name: 'Sam Staff' });
  cam = await signIn(t.app, 'cam');
  sam = await signIn(t.app, 'sam');
  ticket = await createTicket(sam, { title: 'Scheduler is slow', priority: 'high' });
});
afterAll(() => t.close());

async function load() {
  const html = (await cam.get('/reports')).body;
  const at = /Figures as of <time datetime="([^"]+)">/.exec(html)?.[1];
  const high = tableOf(html, 'open-by-age').find((r) => r[0] === 'High');
  const completed = tableOf(html, 'created-completed').reduce((n, r) => n + Number(r[2]), 0);
  return { html, at, openHigh: high?.[5], completed };
}

describe('Reports: how fresh the figures are', () => {
  it('says when they were counted, and shows them again unchanged while nothing changed', async () => {
    const first = await load();
    expect(first.at).toBe(t.app.now().toISOString());
    expect(readable(first.html)).toMatch(
      /counted again on the next load after a ticket, a person’s name or department, or a response target changes, and at least every minute\./,
    );
    expect(first.openHigh).toBe('1');
    t.clock.advance(30_000);
    const again = await load();
    expect(again.at).toBe(first.at);
    expect(again.openHigh).toBe('1');
  });

  it('a ticket change shows on the next load', async () => {
    t.clock.advance(1_000);
    const page = await sam.post(`/tickets/${ticket}/status`, { status: 'complete' });
    expect(page.statusCode).toBeLessThan(400);
    const after = await load();
    expect(after.at).toBe(t.app.now().toISOString());
    expect(after.openHigh).toBe('0');
    expect(after.completed).toBe(1);
  });

  it('a change to a response target shows on the next load', async () => {
    await createTicket(sam, { title: 'Fax line drops calls', priority: 'high' });
    t.clock.advanceMinutes(10);
    const before = tableOf((await cam.get('/reports')).body, 'past-target');
    expect(before.find((r) => r[0] === 'High')?.[2]).toBe('0');
    t.clock.advance(1_000);
    const high = await t.app.db
      .selectFrom('priorities')
      .select('id')
      .where('key', '=', 'high')
      .executeTakeFirstOrThrow();
    await updatePriorityTarget(
      t.app.db,
      high.id,
      { responseMinutes: 5, label: '5 minutes' },
      null,
      t.app.now(),
    );
    const after = tableOf((await cam.get('/reports')).body, 'past-target');
    expect(after.find((r) => r[0] === 'High')?.slice(1, 3)).toEqual(['5 minutes', '1']);
  });

  it('a change of department shows on the next load', async () => {
    const before = await cam.get('/reports?department=Intake');
    expect(before.statusCode).toBe(422);
    t.clock.advance(1_000);
    const sam = await t.app.db
      .selectFrom('staff')
      .selectAll()
      .where('username', '=', 'sam')
      .executeTakeFirstOrThrow();
    await updateStaff(
      t.app.db,
      sam.id,
      {
        name: sam.name,
        username: sam.username,
        email: sam.email,
        roleId: sam.role_id,
        department: 'Intake',
      },
      t.app.now(),
    );
    const after = await cam.get('/reports?department=Intake');
    expect(after.statusCode).toBe(200);
    const open = tableOf(after.body, 'open-by-age').reduce((n, r) => n + Number(r[5]), 0);
    expect(open).toBe(1);
  });

  it('are counted again behind a load once 45 seconds old, and never shown a minute old', async () => {
    const counted = await load();
    const start = Date.parse(counted.at ?? '');
    t.clock.advance(44_000);
    expect((await load()).at).toBe(counted.at);
    // From 45 seconds the figures found are shown while a count runs behind them.
    t.clock.advance(2_000);
    const refreshAt = t.app.now().toISOString();
    expect((await load()).at).toBe(counted.at);
    let seen = counted.at;
    for (let i = 0; i < 50 && seen === counted.at; i++) seen = (await load()).at;
    expect(seen).toBe(refreshAt);
    // Left alone for a minute, the next load waits for a count of its own.
    t.clock.advance(60_000);
    expect((await load()).at).toBe(t.app.now().toISOString());
    expect(Date.parse(t.app.now().toISOString()) - start).toBe(106_000);
  });

  it('CSV downloads give the same figures as the page', async () => {
    const page = tableOf((await cam.get('/reports')).body, 'open-by-age');
    const csv = (await cam.get('/reports/export.csv?report=open-by-age')).body;
    const high = page.find((r) => r[0] === 'High') ?? [];
    expect(csv).toContain(`${high.map((c) => `"${c}"`).join(',')}\r\n`);
  });
});
