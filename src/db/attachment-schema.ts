import type { Generated } from 'kysely';
import type { Timestamp } from './schema.js';

/**
 * A file on a ticket or a note. `name`, `data` and `thumbnail` are encrypted
 * with the PHI key (src/crypto/phi.ts); the rest is what the server detected.
 */
export interface TicketAttachmentTable {
  id: Generated<number>;
  ticket_id: number;
  /** The note it came with; null for a file added to the ticket itself. */
  note_id: number | null;
  staff_id: number;
  name: string;
  /** 'image': re-encoded, shown inline; 'file': download only. */
  kind: string;
  content_type: string;
  /** Bytes of the file as kept (after re-encoding), before encryption. */
  size: number;
  data: Buffer;
  thumbnail: Buffer | null;
  created_at: Timestamp;
}
