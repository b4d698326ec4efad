import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { prepared } from '../db/prepared.js';

/** A file ready for the store: name and bytes already encrypted. */
export interface SealedAttachment {
  name: string;
  kind: 'image' | 'file';
  contentType: string;
  size: number;
  data: Buffer;
  thumbnail: Buffer | null;
}

export async function insertAttachments(
  trx: Db,
  files: readonly SealedAttachment[],
  where: { ticketId: number; noteId: number | null; staffId: number },
  now: Date,
): Promise<void> {
  for (const file of files) {
    await trx
      .insertInto('ticket_attachments')
      .values({
        ticket_id: where.ticketId,
        note_id: where.noteId,
        staff_id: where.staffId,
        name: file.name,
        kind: file.kind,
        content_type: file.contentType,
        size: file.size,
        data: file.data,
        thumbnail: file.thumbnail,
        created_at: now.toISOString(),
      })
      .execute();
  }
}

/** What the ticket page shows of a file: never its bytes. */
export interface AttachmentSummary {
  id: number;
  note_id: number | null;
  name: string;
  kind: string;
  size: number;
  staff_name: string;
  created_at: string;
}

/** Compiled once (src/db/prepared.ts): every ticket page reads it. */
const attachmentsQuery = prepared((db, v: { ticketId: number }) =>
  db
    .selectFrom('ticket_attachments as a')
    .innerJoin('staff', 'staff.id', 'a.staff_id')
    .select([
      'a.id',
      'a.note_id',
      'a.name',
      'a.kind',
      'a.size',
      'staff.name as staff_name',
      'a.created_at',
    ])
    .where('a.ticket_id', '=', v.ticketId)
    .orderBy('a.id'),
);

export async function listAttachments(
  db: Db,
  phi: PhiCipher,
  ticketId: number,
): Promise<AttachmentSummary[]> {
  const rows = await attachmentsQuery.rows(db, { ticketId });
  return rows.map((row) => ({ ...row, name: phi.decrypt(row.name) }));
}

/** How many files and bytes a ticket holds, for its limits. */
export async function countAttachments(
  db: Db,
  ticketId: number,
): Promise<{ files: number; bytes: number }> {
  const row = await db
    .selectFrom('ticket_attachments')
    .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('size').as('bytes')])
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst();
  return { files: Number(row?.files ?? 0), bytes: Number(row?.bytes ?? 0) };
}

export interface OpenedAttachment {
  id: number;
  name: string;
  kind: string;
  contentType: string;
  bytes: Buffer;
}

/**
 * One file of one ticket, decrypted: the file itself or its thumbnail.
 * Undefined when the ticket has no such file (or no thumbnail of it).
 */
export async function openAttachment(
  db: Db,
  phi: PhiCipher,
  ticketId: number,
  attachmentId: number,
  part: 'data' | 'thumbnail',
): Promise<OpenedAttachment | undefined> {
  const row = await db
    .selectFrom('ticket_attachments')
    .select(['id', 'name', 'kind', 'content_type', part])
    .where('ticket_id', '=', ticketId)
    .where('id', '=', attachmentId)
    .executeTakeFirst();
  const stored = row?.[part];
  if (!row || !stored) return undefined;
  return {
    id: row.id,
    name: phi.decrypt(row.name),
    kind: row.kind,
    contentType: part === 'thumbnail' ? 'image/webp' : row.content_type,
    bytes: phi.decryptBytes(stored),
  };
}
