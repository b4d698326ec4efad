import type { Generated } from 'kysely';
import type { Timestamp } from './schema.js';

/** The tables of mail: the outbox the worker sends from, and who wants which kind. */

export type OutboxStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'retrying'
  | 'dead'
  | 'delivered_locally';

/** One email, composed when the change that caused it was saved; sent later by the worker. */
export interface OutboxTable {
  id: Generated<number>;
  /** A notification kind (src/notifications/kinds.ts). */
  kind: string;
  /** Null for an address that is not a staff member's (the escalation desk). */
  recipient_staff_id: number | null;
  to_address: string;
  /** `[hushdesk #N] title`: titles hold no PHI. */
  subject: string;
  text_body: string;
  html_body: string;
  ticket_id: number | null;
  /** `<outbox-ID@host>`: a resend of the same row is recognisable. */
  message_id: string;
  status: OutboxStatus;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  /** While `sending`: when the claiming process's hold ends and another may take the row over. */
  lease_expires_at: Timestamp | null;
}

/** A staff member's choice for one kind; no row means the kind is on. */
export interface NotificationPreferenceTable {
  staff_id: number;
  kind: string;
  enabled: number;
  updated_at: Timestamp;
}
