import type { Priority, TicketStatus } from '../db/schema.js';
import type { FieldErrors } from '../forms/fields.js';
import { isCalendarDate } from './dates.js';
import { DESCRIPTION_MAX, isStatus, TITLE_MAX } from './model.js';

/** The ticket window's fields, as typed. Kept whole so an error loses nothing. */
export interface TicketForm {
  title: string;
  due_date: string;
  priority: string;
  status: string;
  description: string;
  assignee: string;
}

export interface ValidTicket {
  title: string;
  dueDate: string | null;
  priority: Priority;
  status: TicketStatus;
  description: string | null;
  /** A staff id, or null for nobody (only automation leaves a ticket unassigned). */
  assigneeId: number | null;
}

export interface TicketRules {
  priorities: readonly Priority[];
  /** Active staff who may be assigned; their ids. */
  assignable: ReadonlySet<number>;
  me: number;
  today: string;
  isNew: boolean;
  /** On an existing ticket, the current due date may stay even once it is past. */
  currentDueDate?: string | null;
  /** On an existing ticket, its current assignee stays valid even if no longer active. */
  currentAssigneeId?: number | null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: tabs and line breaks are fine in descriptions
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function readTicketForm(body: Record<string, unknown>): TicketForm {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    title: str(body.title).trim(),
    due_date: str(body.due_date).trim(),
    priority: str(body.priority),
    status: str(body.status),
    // Descriptions keep their spacing; only line endings are normalised.
    description: str(body.description).replace(/\r\n?/g, '\n'),
    assignee: str(body.assignee),
  };
}

export function validateTicket(
  form: TicketForm,
  rules: TicketRules,
): { ok: true; value: ValidTicket } | { ok: false; errors: FieldErrors<keyof TicketForm> } {
  const errors: FieldErrors<keyof TicketForm> = {};

  if (!form.title) errors.title = 'Enter a title: a few words that say what the ticket is about.';
  else if ([...form.title].length > TITLE_MAX)
    errors.title = `Keep the title to ${TITLE_MAX} characters; put the details in the Description.`;
  else if (CONTROL.test(form.title)) errors.title = 'The title must be one line of plain text.';

  let dueDate: string | null = null;
  if (form.due_date) {
    if (!isCalendarDate(form.due_date)) {
      errors.due_date = 'Enter a real date, such as 2026-12-31.';
    } else if (
      form.due_date < rules.today &&
      (rules.isNew || form.due_date !== rules.currentDueDate)
    ) {
      errors.due_date = 'The date due cannot be before today.';
    } else dueDate = form.due_date;
  }

  const priority = rules.priorities.find((p) => p.key === form.priority);
  if (!priority) errors.priority = 'Choose a priority from the list.';

  let status: TicketStatus = 'new';
  if (!rules.isNew) {
    if (isStatus(form.status)) status = form.status;
    else errors.status = 'Choose a status from the list.';
  }

  if ([...form.description].length > DESCRIPTION_MAX)
    errors.description = `The description can hold up to ${DESCRIPTION_MAX.toLocaleString('en-US')} characters; this one has ${[...form.description].length.toLocaleString('en-US')}.`;
  else if (CONTROL_EXCEPT_LINES.test(form.description))
    errors.description =
      'The description holds characters that cannot be shown; paste it as plain text.';

  let assigneeId: number | null = null;
  if (form.assignee === 'self' || form.assignee === '') assigneeId = rules.me;
  else if (/^\d+$/.test(form.assignee)) {
    const id = Number(form.assignee);
    if (rules.assignable.has(id) || id === rules.currentAssigneeId) assigneeId = id;
    else errors.assignee = 'Choose someone on the staff list.';
  } else errors.assignee = 'Choose someone on the staff list.';

  if (Object.keys(errors).length > 0 || !priority) return { ok: false, errors };
  return {
    ok: true,
    value: {
      title: form.title,
      dueDate,
      priority,
      status,
      description: form.description.trim() === '' ? null : form.description,
      assigneeId,
    },
  };
}
