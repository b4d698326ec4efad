import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { PhiCipher } from '../../crypto/phi.js';
import { clearCookie, setCookie } from '../cookies.js';

/**
 * What a sign-in through the provider must remember between leaving for the
 * provider and coming back: state, nonce and the PKCE code verifier. It lives
 * in a cookie encrypted and authenticated with the agency key (AES-256-GCM),
 * not in process memory, so any hushdesk process can finish what another began,
 * and the browser cannot read or change it.
 */
export interface SsoTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go after signing in. */
  next: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Enough to type a password at the provider and pass its own second factor. */
export const TRANSACTION_MINUTES = 10;
const PURPOSE = 'hushdesk sso transaction';

export function transactionCookieName(config: Config): string {
  return config.secureCookies ? '__Host-hushdesk-sso' : 'hushdesk-sso';
}

export function saveTransaction(
  reply: FastifyReply,
  config: Config,
  phi: PhiCipher,
  transaction: SsoTransaction,
): void {
  const sealed = phi.encrypt(JSON.stringify({ purpose: PURPOSE, ...transaction }));
  setCookie(reply, config, transactionCookieName(config), sealed);
}

/** The transaction from the cookie, once: the cookie is cleared whatever it held. */
export function takeTransaction(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  phi: PhiCipher,
  now: Date,
): SsoTransaction | undefined {
  const name = transactionCookieName(config);
  const sealed = request.cookies[name];
  clearCookie(reply, config, name);
  if (!sealed) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(phi.decrypt(sealed));
  } catch {
    return undefined;
  }
  if (!isTransaction(value) || value.expiresAt <= now.getTime()) return undefined;
  const { state, nonce, codeVerifier, next, expiresAt } = value;
  return { state, nonce, codeVerifier, next, expiresAt };
}

function isTransaction(value: unknown): value is SsoTransaction & { purpose: string } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.purpose === PURPOSE &&
    typeof v.state === 'string' &&
    typeof v.nonce === 'string' &&
    typeof v.codeVerifier === 'string' &&
    typeof v.next === 'string' &&
    typeof v.expiresAt === 'number'
  );
}

/**
 * The ID token of the last sign-in through the provider, sealed the same way,
 * kept only to offer the provider's own sign-out (`id_token_hint`) afterwards.
 */
export function endSessionHintCookieName(config: Config): string {
  return config.secureCookies ? '__Host-hushdesk-sso-out' : 'hushdesk-sso-out';
}

export function saveEndSessionHint(
  reply: FastifyReply,
  config: Config,
  phi: PhiCipher,
  idToken: string,
): void {
  setCookie(reply, config, endSessionHintCookieName(config), phi.encrypt(idToken));
}

export function readEndSessionHint(
  request: FastifyRequest,
  config: Config,
  phi: PhiCipher,
): string | undefined {
  const sealed = request.cookies[endSessionHintCookieName(config)];
  if (!sealed) return undefined;
  try {
    return phi.decrypt(sealed);
  } catch {
    return undefined;
  }
}
