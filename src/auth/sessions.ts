import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { recordAudit } from '../repositories/audit.js';
import {
  createSession,
  deleteSession,
  findSession,
  type SessionWithStaff,
  touchSession,
} from '../repositories/sessions.js';
import type { SignedInStaff } from '../types.js';
import { clearCookie, sessionCookieName, setCookie } from './cookies.js';
import { hashToken, randomToken } from './tokens.js';

/**
 * Requests that htmx makes on its own (polling) say so with this header; they
 * must not keep an idle session alive (HIPAA 164.312(a)(2)(iii) automatic logoff).
 */
export const BACKGROUND_HEADER = 'hd-background';

/** last_seen_at is written at most this often, to keep reads from becoming writes. */
const TOUCH_EVERY_MS = 15_000;

export type SessionState =
  | { kind: 'none' }
  | { kind: 'ended' }
  | { kind: 'active'; staff: SignedInStaff; sessionId: string; csrfToken: string };

export function sessionHasEnded(row: SessionWithStaff, config: Config, now: Date): boolean {
  return row.active !== 1 || msLeftInSession(row, config, now) <= 0;
}

/** Time until the session ends, by idle time or by its absolute limit, whichever comes first. */
function msLeftInSession(
  row: Pick<SessionWithStaff, 'last_seen_at' | 'created_at'>,
  config: Config,
  now: Date,
): number {
  const idleEnds = Date.parse(row.last_seen_at) + config.sessionIdleMinutes * 60_000;
  const ageEnds = Date.parse(row.created_at) + config.sessionMaxHours * 3_600_000;
  return Math.min(idleEnds, ageEnds) - now.getTime();
}

/** Whole seconds left in the session, for the page's warning before it ends. */
export function secondsLeftInSession(
  row: Pick<SessionWithStaff, 'last_seen_at' | 'created_at'>,
  config: Config,
  now: Date,
): number {
  return Math.max(0, Math.floor(msLeftInSession(row, config, now) / 1000));
}

export async function loadSession(
  db: Db,
  config: Config,
  request: FastifyRequest,
  now: Date,
): Promise<SessionState> {
  const token = request.cookies[sessionCookieName(config)];
  if (!token) return { kind: 'none' };
  const id = hashToken(token);
  const row = await findSession(db, id);
  if (!row) return { kind: 'ended' };
  if (sessionHasEnded(row, config, now)) {
    await deleteSession(db, id);
    if (row.active === 1) {
      await recordAudit(
        db,
        {
          actor: { staffId: row.staff_id, label: `${row.name} (${row.username})` },
          action: 'session-timeout',
          ip: request.ip,
        },
        now,
      );
    }
    return { kind: 'ended' };
  }
  const background = request.headers[BACKGROUND_HEADER] === '1';
  if (!background && now.getTime() - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) {
    await touchSession(db, id, now);
  }
  return {
    kind: 'active',
    sessionId: id,
    csrfToken: row.csrf_token,
    staff: {
      id: row.staff_id,
      name: row.name,
      username: row.username,
      email: row.email,
      roleId: row.role_id,
      roleName: row.role_name,
      roleKey: row.role_key,
      permissions: row.permissions,
    },
  };
}

/** Starts a new session with a fresh id (no fixation) and sets its cookie; returns the session's id. */
export async function startSession(
  db: Db,
  config: Config,
  reply: FastifyReply,
  staffId: number,
  ip: string,
  now: Date,
): Promise<string> {
  const token = randomToken();
  const id = hashToken(token);
  await createSession(db, { id, staffId, csrfToken: randomToken(), ip }, now);
  setCookie(reply, config, sessionCookieName(config), token);
  return id;
}

export async function endSession(
  db: Db,
  config: Config,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (request.session) await deleteSession(db, request.session.id);
  clearCookie(reply, config, sessionCookieName(config));
}
