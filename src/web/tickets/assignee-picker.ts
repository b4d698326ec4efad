import type { FastifyInstance } from 'fastify';
import { buildPicker, type PickerState, type PickerStep } from '../../staff/picker.js';
import type { StaffDirectory } from '../../staff/search.js';
import type { TicketForm } from '../../tickets/validate.js';
import { posted } from '../staff-picker/no-script.js';

/** The ticket window's Assigned To control: [self] first, then whoever the quick search found. */
export async function buildAssigneePicker(
  app: FastifyInstance,
  directory: StaffDirectory,
  form: TicketForm,
  body: Record<string, unknown> = {},
  step: PickerStep | null = null,
  suggested: readonly number[] = [],
): Promise<PickerState> {
  return buildPicker(app.db, directory, {
    selected: form.assignee,
    self: true,
    q: posted(body, 'assignee_q').slice(0, 100),
    step,
    suggested,
  });
}

export const ASSIGNEE_PICK_LIST = {
  field: 'assignee',
  label: 'Assigned To',
  first: 'self',
  title: 'Pick list: Assigned To',
} as const;
