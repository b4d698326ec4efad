import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { isHtmx } from '../decorators/render.js';
import { requiresTwoFactor } from '../repositories/security-settings.js';
import { isSsoSession } from '../repositories/sso.js';
import {
  confirmTwoFactor,
  countUnusedRecoveryCodes,
  createPendingSignIn,
  findTwoFactor,
  hasConfirmedTwoFactor,
  replaceRecoveryCodes,
  saveUnconfirmedSecret,
  useRecoveryCode,
  useTotpStep,
} from '../repositories/two-factor.js';
import { setCookie } from './cookies.js';
import { hashToken, randomToken } from './tokens.js';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  groupSecret,
  hashRecoveryCode,
  looksLikeTotp,
  matchTotp,
  otpauthUri,
} from './totp.js';

/** How long the step between a right password and a right code may take. */
export const PENDING_MINUTES = 5;
/** Wrong codes before the pending sign-in is thrown away and the password is asked again. */
export const MAX_PENDING_FAILURES = 5;
export const ENROL_PATH = '/profile/two-factor';

export function pendingCookieName(config: Config): string {
  return config.secureCookies ? '__Host-hushdesk-2fa' : 'hushdesk-2fa';
}

/**
 * After a right password, for someone with a second factor: no session yet,
 * only a short-lived pending sign-in that can do nothing but take a code.
 */
export async function beginSecondStep(
  db: Db,
  config: Config,
  reply: FastifyReply,
  staffId: number,
  next: string,
  now: Date,
): Promise<FastifyReply> {
  const token = randomToken();
  await createPendingSignIn(
    db,
    { id: hashToken(token), staffId, next },
    now,
    new Date(now.getTime() + PENDING_MINUTES * 60_000),
  );
  setCookie(reply, config, pendingCookieName(config), token);
  return reply.redirect('/sign-in/two-factor', 303);
}

export type SecondFactorResult =
  | { kind: 'code' }
  | { kind: 'recovery-code'; left: number }
  | { kind: 'wrong' };

/** Checks a code from the authenticator, or a recovery code, and uses it up. */
export async function verifySecondFactor(
  db: Db,
  phi: PhiCipher,
  staffId: number,
  input: string,
  now: Date,
): Promise<SecondFactorResult> {
  const row = await findTwoFactor(db, staffId);
  if (!row?.confirmed_at) return { kind: 'wrong' };
  if (looksLikeTotp(input)) {
    const step = matchTotp(phi.decrypt(row.secret), input, now, row.last_step);
    // The update is the check that wins a race: two requests with one code, one succeeds.
    if (step !== null && (await useTotpStep(db, staffId, step))) return { kind: 'code' };
    return { kind: 'wrong' };
  }
  if (input.trim() && (await useRecoveryCode(db, staffId, hashRecoveryCode(input), now))) {
    return { kind: 'recovery-code', left: await countUnusedRecoveryCodes(db, staffId) };
  }
  return { kind: 'wrong' };
}

/** A fresh secret to enrol with; replaces an earlier unconfirmed one. */
export async function startEnrolment(
  db: Db,
  phi: PhiCipher,
  staffId: number,
  now: Date,
): Promise<boolean> {
  return saveUnconfirmedSecret(db, staffId, phi.encrypt(generateTotpSecret()), now);
}

export interface EnrolmentDetails {
  /** The secret grouped in fours, for typing in by hand. */
  secret: string;
  /** The otpauth:// URI as an SVG QR code in a data: URL (CSP allows img data:). */
  qrCode: string;
}

/** What the enrolment page shows for an unconfirmed secret; rendered here, never by a third party. */
export async function enrolmentDetails(
  phi: PhiCipher,
  config: Config,
  row: { secret: string },
  account: string,
): Promise<EnrolmentDetails> {
  const secret = phi.decrypt(row.secret);
  const issuer = `hushdesk ${new URL(config.baseUrl).hostname}`;
  // Loaded when someone enrols, not at start-up.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(otpauthUri({ secret, issuer, account }), {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
  return {
    secret: groupSecret(secret),
    qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
  };
}

/** Confirms enrolment with one code; returns the new recovery codes, or null for a wrong code. */
export async function finishEnrolment(
  db: Db,
  phi: PhiCipher,
  staffId: number,
  code: string,
  now: Date,
): Promise<string[] | null> {
  const row = await findTwoFactor(db, staffId);
  if (!row || row.confirmed_at) return null;
  const step = matchTotp(phi.decrypt(row.secret), code, now, null);
  if (step === null) return null;
  const codes = generateRecoveryCodes();
  await confirmTwoFactor(db, staffId, step, codes.map(hashRecoveryCode), now);
  return codes;
}

export async function issueNewRecoveryCodes(db: Db, staffId: number, now: Date): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await db
    .transaction()
    .execute((trx) => replaceRecoveryCodes(trx, staffId, codes.map(hashRecoveryCode), now));
  return codes;
}

/**
 * Guard for signed-in routes when the agency requires a second factor: someone
 * without one reaches nothing but the enrolment page until they have set it up.
 */
export async function requireTwoFactorEnrolment(request: FastifyRequest, reply: FastifyReply) {
  const staff = request.staff;
  if (!staff) return;
  const path = request.url.split('?')[0] ?? '';
  if (path === ENROL_PATH || path.startsWith(`${ENROL_PATH}/`)) return;
  const db = request.server.db;
  if (!(await requiresTwoFactor(db))) return;
  if (await hasConfirmedTwoFactor(db, staff.id)) return;
  // Signed in through the agency's provider: its own second factor applies.
  if (request.session && (await isSsoSession(db, request.session.id))) return;
  const target =
    request.method === 'GET' && path !== '/'
      ? `${ENROL_PATH}?next=${encodeURIComponent(request.url)}`
      : ENROL_PATH;
  if (isHtmx(request)) return reply.code(403).header('hx-redirect', target).send();
  return reply.redirect(target, 303);
}
