import { afterAll, beforeAll, beforeEach } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { createRole } from '../../src/repositories/roles.js';
import { setSetting } from '../../src/repositories/settings.js';
import { createStaff } from '../../src/repositories/staff.js';
import { addStaff, type Browser, createTestApp, PASSWORD, signIn, type TestApp } from './app.js';

export const DESK = { name: 'Procentive Support', email: 'support@procentive.example' };
/** Typed into descriptions and notes: it must never reach an email. */
export const PHI = 'CLIENT-4411-DOS-1120';

/** Two champions, a staff member, and a liaison who may send but sees only their own tickets. */
export interface EscalationWorld {
  t: TestApp;
  chip: Browser;
  ann: Browser;
  ids: Record<'chip' | 'dana' | 'ann' | 'lone', number>;
}

export async function buildEscalationWorld(): Promise<EscalationWorld> {
  const t = await createTestApp();
  const ids = {
    chip: (await addStaff(t.app, 'chip', { name: 'Chip Champion', role: 'champion' })).id,
    dana: (await addStaff(t.app, 'dana', { name: 'Dana Dent', role: 'champion' })).id,
    ann: (await addStaff(t.app, 'ann', { name: 'Ann Lee' })).id,
    lone: 0,
  };
  // A role that may send to the desk but sees only its own tickets.
  const role = await createRole(t.app.db, 'Desk liaison', ['send_to_desk'], t.app.now());
  ids.lone = (
    await createStaff(
      t.app.db,
      {
        name: 'Lone Liaison',
        username: 'lone',
        email: 'lone@example.org',
        department: null,
        passwordHash: await hashPassword(PASSWORD),
        roleId: role,
      },
      t.app.now(),
    )
  ).id;
  return { t, ids, chip: await signIn(t.app, 'chip'), ann: await signIn(t.app, 'ann') };
}

export async function configureDesk(
  t: TestApp,
  desk: { name: string | null; email: string | null },
) {
  const now = t.app.now();
  await setSetting(t.app.db, 'escalation_desk_name', desk.name, null, now);
  await setSetting(t.app.db, 'escalation_desk_email', desk.email, null, now);
}

export function outboxTo(t: TestApp, address: string) {
  return t.app.db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', address)
    .orderBy('id')
    .execute();
}

export function escalationOf(t: TestApp, ticketId: number) {
  return t.app.db
    .selectFrom('ticket_escalations')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .execute();
}

/**
 * Within the calling file: the escalation world, built once, closed after its
 * tests, with the desk set up again before each test (some tests change it).
 */
export function useEscalationWorld(): EscalationWorld {
  const world = {} as EscalationWorld;
  beforeAll(async () => {
    Object.assign(world, await buildEscalationWorld());
  });
  afterAll(() => world.t?.close());
  beforeEach(() => configureDesk(world.t, DESK));
  return world;
}
