import type { Db } from '../db/index.js';
import type { FieldErrors } from '../forms/fields.js';
import { text } from '../forms/fields.js';
import { getSetting } from '../repositories/settings.js';

/** What an administrator may change in Settings → Attachments. */
export interface AttachmentLimits {
  /** Largest file, in MB. */
  fileMb: number;
  /** Most files on one ticket, notes included. */
  filesPerTicket: number;
  /** Most MB on one ticket, notes included. */
  ticketMb: number;
}

export const DEFAULT_LIMITS: AttachmentLimits = { fileMb: 10, filesPerTicket: 10, ticketMb: 50 };

/**
 * Upper bounds: an upload is held in memory (never on disk) until it is
 * encrypted, so a ticket's files must fit comfortably in a small server's memory.
 */
export const LIMIT_BOUNDS: Record<keyof AttachmentLimits, { min: number; max: number }> = {
  fileMb: { min: 1, max: 25 },
  filesPerTicket: { min: 1, max: 50 },
  ticketMb: { min: 1, max: 100 },
};

export const LIMIT_KEYS: Record<keyof AttachmentLimits, string> = {
  fileMb: 'attachment_file_mb',
  filesPerTicket: 'attachment_files_per_ticket',
  ticketMb: 'attachment_ticket_mb',
};

const MB = 1024 * 1024;
export const megabytes = (mb: number) => mb * MB;

export async function getAttachmentLimits(db: Db): Promise<AttachmentLimits> {
  const read = async (key: keyof AttachmentLimits) => {
    const value = await getSetting<number | null>(db, LIMIT_KEYS[key], null);
    const { min, max } = LIMIT_BOUNDS[key];
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? value
      : DEFAULT_LIMITS[key];
  };
  return {
    fileMb: await read('fileMb'),
    filesPerTicket: await read('filesPerTicket'),
    ticketMb: await read('ticketMb'),
  };
}

export type LimitsForm = Record<keyof AttachmentLimits, string>;

export function readLimitsForm(body: Record<string, unknown>): LimitsForm {
  return {
    fileMb: text(body.fileMb),
    filesPerTicket: text(body.filesPerTicket),
    ticketMb: text(body.ticketMb),
  };
}

const LABELS: Record<keyof AttachmentLimits, string> = {
  fileMb: 'The largest file',
  filesPerTicket: 'Files on a ticket',
  ticketMb: 'All files on a ticket',
};

export function validateLimitsForm(
  form: LimitsForm,
): { limits: AttachmentLimits } | { errors: FieldErrors<keyof AttachmentLimits> } {
  const errors: FieldErrors<keyof AttachmentLimits> = {};
  const values = {} as AttachmentLimits;
  for (const key of Object.keys(LIMIT_BOUNDS) as (keyof AttachmentLimits)[]) {
    const { min, max } = LIMIT_BOUNDS[key];
    const value = /^\d{1,4}$/.test(form[key]) ? Number(form[key]) : Number.NaN;
    if (!(value >= min && value <= max)) {
      errors[key] = `${LABELS[key]}: a whole number from ${min} to ${max}.`;
    } else values[key] = value;
  }
  if (!errors.fileMb && !errors.ticketMb && values.fileMb > values.ticketMb) {
    errors.ticketMb = 'All files on a ticket cannot be less than the largest file.';
  }
  return Object.keys(errors).length > 0 ? { errors } : { limits: values };
}
