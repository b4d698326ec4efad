import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { Staff } from '../../db/schema.js';
import {
  findStaffByEmail,
  findStaffBySubject,
  hasSubjectAtIssuer,
  rememberSubject,
} from '../../repositories/sso.js';
import { createStaff, usernameTaken } from '../../repositories/staff.js';
import { openIdClient, type SsoClients } from './client.js';
import { redirectUrl, type SsoSettings } from './settings.js';
import { type SsoTransaction, TRANSACTION_MINUTES } from './transaction.js';

/**
 * The authorization code flow with PKCE, state and nonce. Every check of the
 * ID token (signature against the provider's published keys, issuer, audience,
 * expiry, nonce) is openid-client's; nothing here reads a JWT by hand.
 */
export async function beginSsoSignIn(
  clients: SsoClients,
  config: Config,
  settings: SsoSettings,
  next: string,
  now: Date,
): Promise<{ url: URL; transaction: SsoTransaction }> {
  const configuration = await clients.configuration(settings);
  const client = await openIdClient();
  const codeVerifier = client.randomPKCECodeVerifier();
  const transaction: SsoTransaction = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier,
    next,
    expiresAt: now.getTime() + TRANSACTION_MINUTES * 60_000,
  };
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUrl(config),
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: transaction.state,
    nonce: transaction.nonce,
  });
  return { url, transaction };
}

export interface ProviderIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  idToken: string | undefined;
}

/** Exchanges the code; throws openid-client's error for anything that does not check out. */
export async function finishSsoSignIn(
  clients: SsoClients,
  config: Config,
  settings: SsoSettings,
  callbackPathAndQuery: string,
  transaction: SsoTransaction,
): Promise<ProviderIdentity> {
  const configuration = await clients.configuration(settings);
  const client = await openIdClient();
  const tokens = await client.authorizationCodeGrant(
    configuration,
    new URL(callbackPathAndQuery, config.baseUrl),
    {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    },
  );
  const idClaims = tokens.claims();
  if (!idClaims) throw new Error('the provider sent no ID token');
  // Some providers put email and name only in UserInfo when an access token is
  // issued; the library checks that UserInfo speaks of the same subject.
  const claims: Record<string, unknown> & { sub: string } =
    typeof idClaims.email === 'string'
      ? idClaims
      : {
          ...(await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)),
          sub: idClaims.sub,
        };
  const email = typeof claims.email === 'string' ? claims.email.trim() : '';
  return {
    subject: claims.sub,
    email: email || null,
    // Entra ID does not send email_verified; with the optional claim xms_edov it
    // says the email's domain is one the tenant has verified.
    emailVerified: claims.email_verified === true || claims.xms_edov === true,
    name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : null,
    idToken: tokens.id_token,
  };
}

export type MatchResult =
  | { kind: 'matched'; staff: Staff; how: 'subject' | 'email' | 'created' }
  | {
      kind: 'refused';
      reason: 'no-account' | 'deactivated' | 'unverified' | 'ambiguous';
      staff?: Staff;
    };

/**
 * Finds the hushdesk account for a person the provider vouched for: the
 * subject remembered from an earlier sign-in, else the verified email (and the
 * subject is remembered), else a new account when the administrator allows it
 * for the email's domain. Deactivated accounts are refused whatever the provider says.
 */
export async function matchStaff(
  db: Db,
  settings: SsoSettings,
  identity: ProviderIdentity,
  now: Date,
): Promise<MatchResult> {
  const known = await findStaffBySubject(db, settings.issuer, identity.subject);
  if (known) {
    return known.active === 1
      ? { kind: 'matched', staff: known, how: 'subject' }
      : { kind: 'refused', reason: 'deactivated', staff: known };
  }
  if (!identity.email || !identity.emailVerified) return { kind: 'refused', reason: 'unverified' };
  const email = identity.email;
  const found = await findStaffByEmail(db, email);
  if (found.length > 1) return { kind: 'refused', reason: 'ambiguous' };
  const [staff] = found;
  if (staff) {
    if (staff.active !== 1) return { kind: 'refused', reason: 'deactivated', staff };
    // The account answers to another subject here already: the address moved to someone else.
    if (await hasSubjectAtIssuer(db, staff.id, settings.issuer)) {
      return { kind: 'refused', reason: 'ambiguous', staff };
    }
    await rememberSubject(
      db,
      { issuer: settings.issuer, subject: identity.subject, staffId: staff.id },
      now,
    );
    return { kind: 'matched', staff, how: 'email' };
  }
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!settings.createDomain || !settings.createRoleId || domain !== settings.createDomain) {
    return { kind: 'refused', reason: 'no-account' };
  }
  const roleId = settings.createRoleId;
  const created = await db.transaction().execute(async (trx) => {
    const made = await createStaff(
      trx,
      {
        name: identity.name ?? email.slice(0, email.lastIndexOf('@')),
        username: await freeUsername(trx, email),
        email,
        department: null,
        passwordHash: null,
        roleId,
      },
      now,
    );
    await rememberSubject(
      trx,
      { issuer: settings.issuer, subject: identity.subject, staffId: made.id },
      now,
    );
    return made;
  });
  return { kind: 'matched', staff: created, how: 'created' };
}

/** A username from the email's local part that fits the username rule and is not taken. */
async function freeUsername(db: Db, email: string): Promise<string> {
  const local = email.slice(0, email.lastIndexOf('@'));
  let base = local
    .replace(/[^A-Za-z0-9._-]/g, '')
    .replace(/^[._-]+/, '')
    .slice(0, 34);
  if (base.length < 2) base = 'staff';
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}${n}`;
    if (!(await usernameTaken(db, candidate))) return candidate;
  }
}
