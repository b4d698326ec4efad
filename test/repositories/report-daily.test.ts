import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/index.js';
import type { TicketStatus } from '../../src/db/schema.js';
import { ensureReportCalendar } from '../../src/reports/calendar.js';
import {
  changeBareTicket,
  createTestDatabase,
  openBareTicket,
  type TestDatabase,
  testStore,
  useBareStore,
} from '../helpers/store.js';

const ZONE = 'America/Chicago';
const T0 = new Date('2026-11-27T15:00:00Z');
const MINUTE = 60_000;
const store = useBareStore(['ann', 'bo'], T0);
const people = store.people;
let db: Db;

beforeAll(async () => {
  db = store.db;
  await ensureReportCalendar(db, ZONE, T0);
});

async function kept() {
  const rows = await db
    .selectFrom('report_daily')
    .select(['measure', 'day', 'priority_id', 'band', 'n'])
    .where('n', '<>', 0)
    .orderBy('measure')
    .orderBy('day')
    .orderBy('priority_id')
    .orderBy('band')
    .execute();
  return rows;
}

/** What the triggers kept, against the same counts rebuilt from scratch. */
async function expectKeptEqualsRebuilt(): Promise<void> {
  const before = await kept();
  await db.deleteFrom('report_calendar').execute();
  await ensureReportCalendar(db, ZONE, T0);
  expect(before).toEqual(await kept());
}

/** A ticket opened by Ann at `at`, straight through the repository. */
function openAt(title: string, priorityId: number, at: Date): Promise<number> {
  const [ann = 0] = people;
  return openBareTicket(db, { title, priorityId }, ann, at);
}

/** The days under which tickets of a priority are counted as created, from `from` on. */
async function createdDays(priorityId: number, from = ''): Promise<string[]> {
  const rows = await db
    .selectFrom('report_daily')
    .select('day')
    .where('measure', '=', 1)
    .where('priority_id', '=', priorityId)
    .where('day', '>=', from)
    .where('n', '>', 0)
    .execute();
  return rows.map((r) => r.day);
}

function change(id: number, status: TicketStatus, at: Date, priorityId?: number) {
  const changes = priorityId === undefined ? { status } : { status, priority_id: priorityId };
  return changeBareTicket(db, id, changes, at);
}

async function respond(id: number, by: number, at: Date) {
  await db
    .insertInto('ticket_events')
    .values({
      ticket_id: id,
      staff_id: by,
      at: at.toISOString(),
      kind: 'note',
      field: null,
      old_value: null,
      new_value: null,
      note_id: null,
    })
    .execute();
}

describe('Reports: per-day counts kept by triggers', () => {
  it('equal a rebuild after every kind of change, days on the agency’s calendar', async () => {
    const [ann = 0, bo = 0] = people;
    const open = (at: Date, by = ann) => openBareTicket(db, { assigneeId: bo }, by, at);
    // 05:30 UTC on the 28th is still the 27th in Chicago.
    const late = await open(new Date('2026-11-28T05:30:00Z'));
    const early = await open(T0);
    const days = await db
      .selectFrom('report_daily')
      .select(['day', 'band', 'n'])
      .where('measure', '=', 1)
      .execute();
    expect(days).toEqual([{ day: '2026-11-27', band: -1, n: 2 }]);

    await respond(early, bo, new Date(T0.getTime() + 20 * MINUTE)); // answered in 20 minutes
    await respond(early, bo, new Date(T0.getTime() + 90 * MINUTE)); // only the first counts
    await respond(late, ann, new Date(T0.getTime() + 10 * MINUTE)); // the creator's own note
    await expectKeptEqualsRebuilt();
    const times = await db
      .selectFrom('ticket_report_times')
      .select(['response_minutes', 'response_band'])
      .where('ticket_id', '=', early)
      .executeTakeFirstOrThrow();
    expect(times).toEqual({ response_minutes: 20, response_band: 1 });

    const done = new Date(T0.getTime() + 3 * 1440 * MINUTE);
    await change(early, 'complete', done);
    await expectKeptEqualsRebuilt();
    expect(
      await db
        .selectFrom('ticket_report_times')
        .select(['complete_minutes', 'complete_band'])
        .where('ticket_id', '=', early)
        .executeTakeFirstOrThrow(),
    ).toEqual({ complete_minutes: 3 * 1440, complete_band: 8 });
    await change(early, 'in_progress', done, 2); // reopened, and its priority changed
    await expectKeptEqualsRebuilt();
    await change(early, 'complete', new Date(done.getTime() + 5 * MINUTE));
    await change(late, 'cancelled', done);
    await expectKeptEqualsRebuilt();
    await db.deleteFrom('ticket_report_times').where('ticket_id', '=', late).execute();
    await expectKeptEqualsRebuilt();
  });

  it('files tickets again under the new zone’s days when the zone changes', async () => {
    const id = await openAt('Late call', 3, new Date('2026-12-02T05:30:00Z'));
    const dayOf = () => createdDays(3);
    expect(await dayOf()).toEqual(['2026-12-01']); // 23:30 on the 1st in Chicago
    await ensureReportCalendar(db, 'UTC', T0);
    expect(await dayOf()).toEqual(['2026-12-02']);
    const calendar = await db.selectFrom('report_calendar').selectAll().executeTakeFirstOrThrow();
    expect(calendar.time_zone).toBe('UTC');
    const utcDay = await db
      .selectFrom('report_days')
      .select('starts_at')
      .where('day', '=', '2026-11-28')
      .executeTakeFirstOrThrow();
    expect(utcDay.starts_at).toBe('2026-11-28T00:00:00.000Z');
    await db.deleteFrom('ticket_report_times').where('ticket_id', '=', id).execute();
    await ensureReportCalendar(db, ZONE, T0);
  });

  it('counts a ticket dated outside the written days after the next rebuild', async () => {
    await openAt('Old import', 1, new Date('2019-03-04T12:00:00Z'));
    const outside = await db
      .selectFrom('report_daily')
      .select('n')
      .where('day', '=', '')
      .executeTakeFirst();
    expect(outside?.n).toBe(1);
    await ensureReportCalendar(db, ZONE, T0);
    const filed = await db
      .selectFrom('report_daily')
      .select(['day', 'n'])
      .where('measure', '=', 1)
      .where('day', '<', '2020')
      .where('n', '>', 0)
      .execute();
    expect(filed).toEqual([{ day: '2019-03-04', n: 1 }]);
  });
});

describe('Reports: the agency’s days', () => {
  /** Days as if written long ago: the last one is `last`. */
  async function cutDaysAfter(last: string) {
    await db.deleteFrom('report_days').where('day', '>', last).execute();
    await db.updateTable('report_calendar').set({ last_day: last }).execute();
  }

  it('are added when they run short, without counting any ticket again', async () => {
    await ensureReportCalendar(db, ZONE, T0);
    await cutDaysAfter('2026-12-20');
    // A rebuild would empty report_daily: this row shows whether one ran.
    await db
      .insertInto('report_daily')
      .values({ measure: 1, day: 'marker', priority_id: 0, band: 0, n: 1 })
      .execute();
    await ensureReportCalendar(db, ZONE, T0);
    const calendar = await db.selectFrom('report_calendar').selectAll().executeTakeFirstOrThrow();
    expect(calendar.last_day).toBe('2028-01-01'); // T0's day + 400
    const days = await db
      .selectFrom('report_days')
      .select(['day', 'starts_at'])
      .where('day', '>=', '2026-12-20')
      .where('day', '<=', '2026-12-22')
      .orderBy('day')
      .execute();
    expect(days).toEqual([
      { day: '2026-12-20', starts_at: '2026-12-20T06:00:00.000Z' },
      { day: '2026-12-21', starts_at: '2026-12-21T06:00:00.000Z' },
      { day: '2026-12-22', starts_at: '2026-12-22T06:00:00.000Z' },
    ]);
    const marker = await db
      .selectFrom('report_daily')
      .select('n')
      .where('day', '=', 'marker')
      .executeTakeFirst();
    expect(marker?.n).toBe(1);
    await db.deleteFrom('report_daily').where('day', '=', 'marker').execute();
    await expectKeptEqualsRebuilt();
  });

  it('are written again, with every count, when a ticket was filed after the last one', async () => {
    await cutDaysAfter('2026-12-20');
    const later = await openAt('After the written days', 4, new Date('2026-12-24T18:00:00Z'));
    const dayOf = () => createdDays(4, '2026-12-20');
    expect(await dayOf()).toEqual(['2026-12-20']); // the last day written, not its own
    await ensureReportCalendar(db, ZONE, T0);
    expect(await dayOf()).toEqual(['2026-12-24']);
    await db.deleteFrom('ticket_report_times').where('ticket_id', '=', later).execute();
    await ensureReportCalendar(db, ZONE, T0);
  });

  it('start at local midnight on both sides of a clock change', async () => {
    await ensureReportCalendar(db, ZONE, T0);
    const startOf = async (day: string) =>
      (
        await db
          .selectFrom('report_days')
          .select('starts_at')
          .where('day', '=', day)
          .executeTakeFirstOrThrow()
      ).starts_at;
    // Clocks go forward on 2027-03-14 in Chicago: CST (-6) before, CDT (-5) after.
    expect(await startOf('2027-03-13')).toBe('2027-03-13T06:00:00.000Z');
    expect(await startOf('2027-03-14')).toBe('2027-03-14T06:00:00.000Z');
    expect(await startOf('2027-03-15')).toBe('2027-03-15T05:00:00.000Z');
    expect(await startOf('2027-11-07')).toBe('2027-11-07T05:00:00.000Z');
    expect(await startOf('2027-11-08')).toBe('2027-11-08T06:00:00.000Z');
  });
});

/**
 * Two processes on one PostgreSQL database (each its own pool) starting at
 * once both find no days written. One writes them; the other waits for it,
 * looks again and writes nothing, rather than failing on the days' key.
 */
describe.skipIf(testStore !== 'postgres')('Reports: the agency’s days, two processes', () => {
  let database: TestDatabase | undefined;
  const pools: Db[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
    await database?.drop();
  });

  it('are written once when both ask at the same moment', async () => {
    const made = await createTestDatabase();
    database = made;
    const [one, two] = [createDb('', made.url), createDb('', made.url)];
    pools.push(one, two);
    for (let round = 0; round < 5; round++) {
      await one.deleteFrom('report_calendar').execute();
      await Promise.all([ensureReportCalendar(one, ZONE, T0), ensureReportCalendar(two, ZONE, T0)]);
      const calendar = await two.selectFrom('report_calendar').select('last_day').execute();
      expect(calendar).toEqual([{ last_day: '2028-01-01' }]);
    }
  });
});
