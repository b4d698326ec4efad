import { type Kysely, sql } from 'kysely';

// Response targets from the vendor's published list; administrators change them in Settings.
const PRIORITIES = [
  {
    key: 'none',
    name: 'None',
    rank: 0,
    minutes: null,
    target: 'Answered after every ticket with a priority',
  },
  { key: 'future', name: 'Future', rank: 1, minutes: 30 * 24 * 60, target: '30 days' },
  { key: 'low', name: 'Low', rank: 2, minutes: 14 * 24 * 60, target: '2 weeks' },
  { key: 'medium', name: 'Medium', rank: 3, minutes: 7 * 24 * 60, target: '1 week' },
  { key: 'high', name: 'High', rank: 4, minutes: 48 * 60, target: '48 hours' },
  { key: 'crisis', name: 'Crisis', rank: 5, minutes: 90, target: '60 to 90 minutes' },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('priorities')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('response_minutes', 'integer')
    .addColumn('target_label', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('staff.id'))
    .execute();
  const now = new Date().toISOString();
  for (const p of PRIORITIES) {
    await sql`insert into priorities (key, name, rank, response_minutes, target_label, updated_at)
      values (${p.key}, ${p.name}, ${p.rank}, ${p.minutes}, ${p.target}, ${now})`.execute(db);
  }

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('priority_id', 'integer', (c) => c.notNull().references('priorities.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('new', 'in_progress', 'waiting', 'complete', 'cancelled')`),
    )
    .addColumn('due_date', 'text')
    .addColumn('completed_date', 'text')
    .addColumn('assignee_id', 'integer', (c) => c.references('staff.id'))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('opened_from', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The lists: mine (assignee), created by me, all open by update, due dates.
  await db.schema
    .createIndex('tickets_assignee')
    .on('tickets')
    .columns(['assignee_id', 'status', 'updated_at'])
    .execute();
  await db.schema
    .createIndex('tickets_creator')
    .on('tickets')
    .columns(['created_by', 'updated_at'])
    .execute();
  await db.schema
    .createIndex('tickets_status_updated')
    .on('tickets')
    .columns(['status', 'updated_at'])
    .execute();
  await db.schema.createIndex('tickets_due').on('tickets').columns(['due_date']).execute();

  await db.schema
    .createTable('ticket_associated_staff')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('added_by', 'integer', (c) => c.references('staff.id'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_associated_staff_pk', ['ticket_id', 'staff_id'])
    .execute();
  await db.schema
    .createIndex('ticket_associated_staff_by_staff')
    .on('ticket_associated_staff')
    .columns(['staff_id', 'ticket_id'])
    .execute();

  await db.schema
    .createTable('ticket_notes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ticket_notes_ticket')
    .on('ticket_notes')
    .columns(['ticket_id', 'id'])
    .execute();

  // The timeline: who changed what, from what to what, when. Never PHI: a
  // description edit is recorded without its content.
  await db.schema
    .createTable('ticket_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('staff_id', 'integer', (c) => c.references('staff.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('field', 'text')
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('note_id', 'integer', (c) => c.references('ticket_notes.id'))
    .execute();
  await db.schema
    .createIndex('ticket_events_ticket')
    .on('ticket_events')
    .columns(['ticket_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'ticket_events',
    'ticket_notes',
    'ticket_associated_staff',
    'tickets',
    'priorities',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
