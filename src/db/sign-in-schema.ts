import type { Generated } from 'kysely';
import type { Timestamp } from './schema.js';

/** The tables of signing in beyond the password itself: failures counted for throttling, second factors, API tokens, single sign-on. */

/** Failed sign-ins per throttle key (hashed), shared by every process. */
export interface SignInFailureTable {
  key_hash: string;
  failures: number;
  last_failure_at: Timestamp;
}

export interface StaffTwoFactorTable {
  staff_id: number;
  /** The TOTP secret, encrypted with the PHI key (src/crypto/phi.ts). */
  secret: string;
  /** Null until the person confirmed one code: only then does sign-in ask for it. */
  confirmed_at: Timestamp | null;
  /** The last 30-second step a code was accepted for, so no code works twice. */
  last_step: number | null;
  created_at: Timestamp;
}

export interface StaffRecoveryCodeTable {
  id: Generated<number>;
  staff_id: number;
  /** SHA-256 of the code: the codes are random, so a fast hash is enough. */
  code_hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

export interface PendingSignInTable {
  /** SHA-256 of the cookie's token. */
  id: string;
  staff_id: number;
  next: string;
  failures: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  /** Lower-cased name; unique among tokens not revoked. */
  name_key: string;
  /** SHA-256 of the token: the token itself is shown once and never kept. */
  token_hash: string;
  /** The token's automation identity: a staff row that never signs in. */
  staff_id: number;
  created_by: number | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  last_used_ip: string | null;
  revoked_at: Timestamp | null;
  revoked_by: number | null;
}

export interface SsoProviderTable {
  /** Always 1: one provider per agency. */
  id: number;
  /** Shown on the button: "Sign in with <name>". */
  name: string;
  issuer: string;
  client_id: string;
  /** Encrypted with the agency key (src/crypto/phi.ts); null until one is saved. */
  client_secret: string | null;
  enabled: number;
  required: number;
  break_glass_staff_id: number | null;
  create_domain: string | null;
  create_role_id: number | null;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface StaffSsoIdentityTable {
  issuer: string;
  /** The provider's `sub` claim: stable for a person, unlike their email. */
  subject: string;
  staff_id: number;
  created_at: Timestamp;
}

export interface SsoSessionTable {
  session_id: string;
}
