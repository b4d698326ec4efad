import type { FastifyInstance } from 'fastify';
import type { Staff as StaffRow } from '../db/schema.js';
import { recordAudit, staffActor } from '../repositories/audit.js';
import { findStaffByUsername, usernameKey } from '../repositories/staff.js';
import { loadEnabledSso, passwordAllowed } from './oidc/settings.js';
import { verifyAgainstNothing, verifyPassword } from './passwords.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export const WRONG_PASSWORD = 'That username and password do not match an active account.';

/** What a username and password come to, before any session starts. */
export type PasswordSignIn =
  | { kind: 'refused'; status: number; error: string; retryAfter?: number }
  | { kind: 'ok'; staff: StaffRow };

/** The throttle's answer in words, with the seconds for `retry-after`. */
function throttled(kind: 'wait' | 'busy', seconds: number): PasswordSignIn {
  return {
    kind: 'refused',
    status: 429,
    retryAfter: seconds,
    error:
      kind === 'busy'
        ? 'Too many sign-ins at once. Wait a moment and try again.'
        : `Too many attempts. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
  };
}

/**
 * Checks a username and password under the throttle, and whether passwords
 * are allowed for that person while single sign-on is on. Every refusal of a
 * known account is audited; an unknown username is not written down, because
 * people type passwords into that box.
 */
export async function checkPasswordSignIn(
  app: FastifyInstance,
  throttle: SignInThrottle,
  input: { username: string; password: string; ip: string },
): Promise<PasswordSignIn> {
  const { username, password, ip } = input;
  const attempt = await throttle.begin(usernameKey(username), ip, app.now().getTime());
  if (attempt.kind === 'wait') return throttled('wait', attempt.seconds);
  if (attempt.kind === 'busy') return throttled('busy', 1);

  let staff: StaffRow | undefined;
  let ok = false;
  try {
    staff = username ? await findStaffByUsername(app.db, username) : undefined;
    ok =
      staff?.password_hash && staff.active === 1
        ? await verifyPassword(staff.password_hash, password)
        : await verifyAgainstNothing(password);
  } finally {
    await attempt.settle(ok);
  }
  if (!staff || !ok) {
    const actor = staff ? staffActor(staff) : { label: 'unknown username' };
    await recordAudit(app.db, { actor, action: 'sign-in-failed', ip }, app.now());
    return { kind: 'refused', status: 401, error: WRONG_PASSWORD };
  }
  const sso = await loadEnabledSso(app.db, app.config, app.phi);
  if (!passwordAllowed(sso, staff.id)) {
    await recordAudit(
      app.db,
      {
        actor: staffActor(staff),
        action: 'sign-in-failed',
        detail: 'password sign-in is turned off: single sign-on is required',
        ip,
      },
      app.now(),
    );
    const error = `Sign in with ${sso?.name ?? 'single sign-on'}: passwords are turned off here.`;
    return { kind: 'refused', status: 403, error };
  }
  return { kind: 'ok', staff };
}
