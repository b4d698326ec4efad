import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countedMs,
  describeDuration,
  targetState,
  waitingClockChanges,
} from '../../src/tickets/waiting-time.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { storedTicket } from '../helpers/db.js';
import { createTicket, saveTicket } from '../helpers/tickets.js';

const HOUR = 3_600_000;
const start = Date.parse('2026-11-27T15:00:00Z');
const at = (hours: number) => new Date(start + hours * HOUR);

/** A ticket walked through statuses at given hours, the way saves keep its clock. */
function walk(steps: [number, 'new' | 'waiting' | 'in_progress' | 'complete'][]) {
  let ticket = {
    status: 'new' as string,
    created_at: at(0).toISOString(),
    response_minutes: 48 * 60,
    waiting_since: null as string | null,
    waited_seconds: 0,
  };
  for (const [hour, status] of steps) {
    ticket = {
      ...ticket,
      ...waitingClockChanges(ticket as never, status, at(hour)),
      status,
    };
  }
  return ticket as Parameters<typeof countedMs>[0];
}

describe('the paused response target, arithmetic', () => {
  it('counts every hour when the ticket never waits', () => {
    expect(countedMs(walk([]), at(10))).toBe(10 * HOUR);
  });

  it('stands still while waiting, and counts again after', () => {
    const waiting = walk([[4, 'waiting']]);
    expect(countedMs(waiting, at(4))).toBe(4 * HOUR);
    expect(countedMs(waiting, at(30))).toBe(4 * HOUR);
    expect(targetState(waiting, at(100), true)).toEqual({
      paused: true,
      past: false,
      leftMs: 44 * HOUR,
    });
    const back = walk([
      [4, 'waiting'],
      [20, 'in_progress'],
    ]);
    expect(countedMs(back, at(21))).toBe(5 * HOUR);
  });

  it('adds several pauses up, before and after other changes', () => {
    const ticket = walk([
      [1, 'in_progress'],
      [2, 'waiting'],
      [10, 'in_progress'],
      [12, 'waiting'],
      [40, 'new'],
      [41, 'waiting'],
    ]);
    // Counted: 0-2 (2h), 10-12 (2h), 40-41 (1h); waiting since 41.
    expect(countedMs(ticket, at(90))).toBe(5 * HOUR);
    expect(ticket.waited_seconds).toBe((8 + 28) * 3600);
  });

  it('is past the target only on the time that counts', () => {
    const ticket = walk([
      [10, 'waiting'],
      [60, 'in_progress'],
    ]);
    // 60 hours old, 50 of them waiting: 20 hours counted of 48.
    expect(targetState(ticket, at(70), true)).toMatchObject({ past: false, leftMs: 28 * HOUR });
    expect(targetState(ticket, at(99), true).past).toBe(true);
    // A ticket past its target before it began to wait stays past, paused.
    const late = walk([[50, 'waiting']]);
    expect(targetState(late, at(60), true)).toMatchObject({ paused: true, past: true });
  });

  it('has no target for a priority without one, or once closed', () => {
    expect(targetState({ ...walk([]), response_minutes: null }, at(1), true).leftMs).toBeNull();
    expect(targetState(walk([]), at(1), false).leftMs).toBeNull();
  });

  it('words what is left in its two largest units', () => {
    expect(describeDuration(44 * HOUR)).toBe('1 day 20 hours');
    expect(describeDuration(-(3 * HOUR + 15 * 60_000))).toBe('3 hours 15 minutes');
    expect(describeDuration(20_000)).toBe('less than a minute');
  });
});

describe('the paused response target, on the screens', () => {
  let t: TestApp;
  let ann: Browser;
  beforeAll(async () => {
    t = await createTestApp();
    await addStaff(t.app, 'ann', { name: 'Ann Lee' });
    ann = await signIn(t.app, 'ann');
  });
  afterAll(() => t.close());

  /** Sessions end when idle: sign in again after the clock moves on by hours. */
  const later = async (hours: number) => {
    t.clock.advance(hours * HOUR);
    ann = await signIn(t.app, 'ann');
  };
  const row = (body: string, id: number) =>
    new RegExp(`<tr id="ticket-${id}"[\\s\\S]*?</tr>`).exec(body)?.[0] ?? '';

  it('pauses while Waiting in the lists and on the page, and judges "past" on the time that counts', async () => {
    const id = await createTicket(ann, { title: 'Fax server slow', priority: 'high' });
    await later(10);
    expect((await ann.get(`/tickets/${id}`)).body).toContain(
      'Response target: 1 day 14 hours left.',
    );
    await saveTicket(ann, id, { status: 'waiting' });
    await later(60);
    const waitingPage = (await ann.get(`/tickets/${id}`)).body;
    expect(waitingPage).toContain('Target paused');
    expect(waitingPage).toContain('Response target: Paused while Waiting: 1 day 14 hours left.');
    expect(waitingPage).not.toContain('Past response target');
    const list = row((await ann.get('/?tab=created')).body, id);
    expect(list).toContain('Target paused');
    expect(list).not.toContain('Past response target');

    await saveTicket(ann, id, { status: 'in_progress' });
    await later(30);
    // 100 hours old, 60 of them in Waiting: 40 hours counted of 48.
    const page = (await ann.get(`/tickets/${id}`)).body;
    expect(page).toContain('Response target: 8 hours left.');
    expect(page).not.toContain('Past response target');
    await later(9);
    const late = (await ann.get(`/tickets/${id}`)).body;
    expect(late).toContain('Past response target');
    expect(late).toContain('Response target: Past by 1 hour.');
    expect(row((await ann.get('/?tab=created')).body, id)).toContain('Past response target');
    const stored = await storedTicket(t.app.db, id);
    expect(stored).toMatchObject({ waiting_since: null, waited_seconds: 60 * 3600 });
  });
});
