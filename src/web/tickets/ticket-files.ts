import type { FastifyInstance } from 'fastify';
import { type AttachmentLimits, getAttachmentLimits } from '../../attachments/limits.js';
import { type AttachmentSummary, listAttachments } from '../../repositories/attachments.js';

export interface FileView extends AttachmentSummary {
  sizeLabel: string;
}

/** What the ticket page and the ticket window show of files: the list and the limits. */
export interface TicketFilesView {
  list: FileView[];
  limits: AttachmentLimits;
  /** Files and bytes the ticket holds, so the picker can say what is left before Save. */
  heldFiles: number;
  heldBytes: number;
}

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export async function loadTicketFiles(
  app: FastifyInstance,
  ticketId: number | null,
): Promise<TicketFilesView> {
  const [list, limits] = await Promise.all([
    ticketId === null ? [] : listAttachments(app.db, app.phi, ticketId),
    getAttachmentLimits(app.db),
  ]);
  return {
    list: list.map((file) => ({ ...file, sizeLabel: sizeLabel(file.size) })),
    limits,
    heldFiles: list.length,
    heldBytes: list.reduce((sum, file) => sum + file.size, 0),
  };
}
