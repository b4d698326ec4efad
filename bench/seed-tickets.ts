import type SQLite from 'better-sqlite3';
import { longTail, type Random, Weighted } from './random.js';
import type { SeededStaff } from './seed-staff.js';
import { paragraph, ticketTitle } from './words.js';

const DAY = 86_400_000;
const BATCH = 25_000;

export interface TicketSeedOptions {
  tickets: number;
  now: number;
  /** Turns description and note text into its stored (encrypted) form. */
  seal: (plaintext: string) => string;
  /**
   * Every ticket open with this chance, whatever its age (the osTicket-shaped
   * run: 78%); unset, open tickets are recent, as at an agency that closes them.
   */
  openShare?: number;
}

export interface TicketSeedResult {
  /** The bench's signed-in staff member: the busiest active member without see_all_tickets. */
  personaId: number;
  tickets: number;
  notes: number;
  events: number;
  associated: number;
  /** Tickets the persona may see (assignee, creator or associated), newest last. */
  personaVisible: number[];
  /** Of those, the ones still open and assigned to the persona. */
  personaOpen: number[];
}

/** Skewed to None/Low/Medium; Crisis is rare (a module down, all clients gone). */
const PRIORITY_WEIGHTS: readonly (readonly [string, number])[] = [
  ['none', 34],
  ['future', 8],
  ['low', 26],
  ['medium', 22],
  ['high', 9.5],
  ['crisis', 0.5],
];
/** Mean days to close, by priority: Crisis in hours, Future in weeks. */
const MEAN_DAYS_TO_CLOSE: Record<string, number> = {
  none: 10,
  future: 20,
  low: 8,
  medium: 4,
  high: 1.5,
  crisis: 0.08,
};
const OPEN = new Weighted([
  ['new', 35],
  ['in_progress', 40],
  ['waiting', 25],
] as const);
const OPENED_FROM = ['/', '/', '/tickets', '/staff', null];

/** One timeline entry before it is written: by, at (ms), kind, field, from, to, note id. */
type Timeline = [
  number,
  number,
  string,
  string | null,
  string | null,
  string | null,
  number | null,
];

/**
 * Ten years of tickets, oldest first (ids grow with time, as in the app), the
 * agency growing over the years. Old tickets are complete or cancelled; open ones
 * are recent, with a few forgotten stragglers. Notes on a fifth, associated staff
 * on about 30%, and a timeline event for every change.
 */
export function seedTickets(
  sqlite: SQLite.Database,
  random: Random,
  staff: SeededStaff[],
  options: TicketSeedOptions,
): TicketSeedResult {
  const { now, seal } = options;
  const priorityIds = new Map(
    (sqlite.prepare('select id, key from priorities').all() as { id: number; key: string }[]).map(
      (p) => [p.key, p.id],
    ),
  );
  const priorities = new Weighted(PRIORITY_WEIGHTS.map(([key, w]) => [key, w] as const));
  // Champions and the admin office carry the most tickets, then a long tail.
  const byLoad = random.shuffle([...staff]).sort((a, b) => load(b) - load(a));
  const personaId = byLoad.find((s) => s.role === 'staff' && s.active)?.id ?? 0;
  const assigneesEver = longTail(byLoad, 0.6);
  const assigneesNow = longTail(
    byLoad.filter((s) => s.active),
    0.6,
  );
  const byChance = random.shuffle([...staff]);
  const creatorsEver = longTail(byChance, 0.3);
  const creatorsNow = longTail(
    byChance.filter((s) => s.active),
    0.3,
  );
  const descriptions = Array.from({ length: 512 }, () => paragraph(random, 120, 1400));
  const noteBodies = Array.from({ length: 512 }, () => paragraph(random, 40, 700));

  const insertTicket = sqlite.prepare(
    `insert into tickets (id, title, description, priority_id, status, due_date, completed_date,
       assignee_id, created_by, opened_from, version, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNote = sqlite.prepare(
    'insert into ticket_notes (id, ticket_id, staff_id, body, created_at, updated_at) values (?, ?, ?, ?, ?, ?)',
  );
  const insertEvent = sqlite.prepare(
    `insert into ticket_events (ticket_id, staff_id, at, kind, field, old_value, new_value, note_id)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAssociated = sqlite.prepare(
    'insert into ticket_associated_staff (ticket_id, staff_id, added_by, added_at) values (?, ?, ?, ?)',
  );

  const result: TicketSeedResult = {
    personaId,
    tickets: 0,
    notes: 0,
    events: 0,
    associated: 0,
    personaVisible: [],
    personaOpen: [],
  };
  const span = 10 * 365 * DAY;
  const start = now - span;
  const iso = (ms: number) => new Date(ms).toISOString();
  const writeBatch = sqlite.transaction((from: number, to: number) => {
    for (let id = from; id < to; id++) {
      // The agency grows: the last year has twice the tickets of the first (linear density).
      const x = (id - 0.5 * random.next()) / options.tickets;
      const created = Math.floor(start + span * (Math.sqrt(1 + 3 * x) - 1));
      const age = now - created;
      const priority = priorities.pick(random);
      const pOpen = age < 120 * DAY ? 0.03 + 0.8 * Math.exp(-age / (14 * DAY)) : 0.002;
      const open = random.chance(options.openShare ?? pOpen);
      const status = open ? OPEN.pick(random) : random.chance(0.88) ? 'complete' : 'cancelled';
      let closed = created + random.exponential(MEAN_DAYS_TO_CLOSE[priority] ?? 7) * DAY;
      if (closed > now) closed = created + random.next() * age;
      const updated = open ? created + random.next() * age : closed;
      // People who have left hold old tickets only.
      const recent = open || age < 365 * DAY;
      const creator = (recent ? creatorsNow : creatorsEver).pick(random);
      const assignee = random.chance(0.01)
        ? null
        : (recent ? assigneesNow : assigneesEver).pick(random);
      const due = random.chance(0.4) ? iso(created + random.int(1, 30) * DAY).slice(0, 10) : null;

      const timeline: Timeline[] = [[creator.id, created, 'created', null, null, null, null]];
      if (assignee && assignee.id !== creator.id && random.chance(0.15)) {
        timeline.push([
          creator.id,
          created + 60_000,
          'assigned',
          'assignee',
          null,
          `${assignee.id}`,
          null,
        ]);
      }
      const actor = assignee?.id ?? creator.id;
      const worked = created + (updated - created) * 0.3;
      if (status !== 'new' && !(status === 'cancelled' && random.chance(0.5))) {
        timeline.push([actor, worked, 'changed', 'Status', 'New', 'In progress', null]);
      }
      if (status === 'waiting') {
        timeline.push([actor, updated, 'changed', 'Status', 'In progress', 'Waiting', null]);
      }
      if (!open) {
        const before = timeline.length > 1 ? 'In progress' : 'New';
        const after = status === 'complete' ? 'Complete' : 'Cancelled';
        timeline.push([actor, closed, 'changed', 'Status', before, after, null]);
      }
      const version = timeline.length;
      insertTicket.run(
        id,
        ticketTitle(random),
        random.chance(0.9) ? seal(random.pick(descriptions)) : null,
        priorityIds.get(priority),
        status,
        due,
        status === 'complete' ? iso(closed).slice(0, 10) : null,
        assignee?.id ?? null,
        creator.id,
        random.pick(OPENED_FROM),
        version,
        iso(created),
        iso(updated),
      );
      if (random.chance(0.2)) {
        const count = 1 + Math.floor(random.exponential(0.8));
        for (let n = 0; n < count; n++) {
          const noteId = ++result.notes;
          const at = created + (updated - created) * random.next();
          const by = random.chance(0.7) ? actor : creator.id;
          insertNote.run(noteId, id, by, seal(random.pick(noteBodies)), iso(at), iso(at));
          timeline.push([by, at, 'note', null, null, null, noteId]);
        }
      }
      timeline.sort((a, b) => a[1] - b[1]);
      for (const [by, at, kind, field, from, to, noteId] of timeline) {
        insertEvent.run(id, by, iso(at), kind, field, from, to, noteId);
      }
      result.events += timeline.length;
      const associated = new Set<number>();
      if (random.chance(0.3)) {
        associated.add(assignee && assignee.id !== creator.id ? creator.id : random.pick(staff).id);
        if (random.chance(0.25)) associated.add(random.pick(staff).id);
        if (assignee) associated.delete(assignee.id);
        for (const staffId of associated) {
          insertAssociated.run(id, staffId, creator.id, iso(created));
          result.associated++;
        }
      }

      result.tickets++;
      if (assignee?.id === personaId || creator.id === personaId || associated.has(personaId)) {
        result.personaVisible.push(id);
        if (open && assignee?.id === personaId) result.personaOpen.push(id);
      }
    }
  });

  for (let from = 1; from <= options.tickets; from += BATCH) {
    writeBatch(from, Math.min(from + BATCH, options.tickets + 1));
  }
  return result;
}

function load(staff: SeededStaff): number {
  if (staff.role === 'champion') return 3;
  if (staff.department === 'IT' || staff.department === 'Administration') return 2;
  return 1;
}
