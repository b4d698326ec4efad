import type { Generated } from 'kysely';
import type { Timestamp } from './schema.js';

/** One-time tokens: the first-run setup link, password links and ticket windows. */

/** A ticket window's one-time token (hashed), bound to the person it was issued to. */
export interface TicketFormTokenTable {
  token_hash: string;
  staff_id: number;
  created_at: Generated<Timestamp>;
  /** The ticket this window made; set in the same transaction as the ticket. */
  ticket_id: number | null;
}

export interface SetupTokenTable {
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface PasswordResetTokenTable {
  /** SHA-256 of the link's token. */
  token_hash: string;
  staff_id: number;
  /** The administrator who made the link. */
  created_by: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  /** Set when the link is used, or when a newer link or a password change replaces it. */
  used_at: Timestamp | null;
}
