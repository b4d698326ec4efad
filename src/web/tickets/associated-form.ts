import type { FastifyInstance } from 'fastify';
import { buildPicker, type PickerState, type PickerStep } from '../../staff/picker.js';
import type { StaffDirectory } from '../../staff/search.js';
import { posted } from '../staff-picker/no-script.js';

/** The add form under "Staff associated with Ticket", as the section renders it. */
export interface AssociatedForm {
  picker: PickerState;
  error: string | null;
  flash: string | null;
}

export const ASSOCIATE_FIELD = 'associate';

export async function buildAssociatedForm(
  app: FastifyInstance,
  directory: StaffDirectory,
  options: { body?: Record<string, unknown>; step?: PickerStep | null; flash?: string } = {},
): Promise<AssociatedForm> {
  const body = options.body ?? {};
  const picker = await buildPicker(app.db, directory, {
    selected: posted(body, ASSOCIATE_FIELD),
    self: false,
    placeholder: 'Choose a person',
    q: posted(body, `${ASSOCIATE_FIELD}_q`).slice(0, 100),
    step: options.step,
  });
  return { picker, error: null, flash: options.flash ?? null };
}
