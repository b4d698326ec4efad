import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../forms/fields.js';
import type { TicketDetail } from '../../repositories/tickets.js';
import type { TitleDecision } from '../../tickets/title-guard.js';
import { type TicketForm, validateTicket } from '../../tickets/validate.js';
import { signedIn } from '../signed-in.js';
import type { FormChoices } from './form-choices.js';
import { judgeTitle } from './title-check.js';
import { filesProblemOf } from './uploads.js';

export interface TicketFormCheck {
  /** The form's own rules: the valid ticket, or not. */
  result: ReturnType<typeof validateTicket>;
  /** Every field's problem: the form's rules, the title guard, the files. */
  errors: FieldErrors;
  titleDecision: TitleDecision | null;
}

/**
 * The checks a new ticket and an edited one share, so every problem shows at
 * once: the form's rules, the title guard on a title that passed them, the
 * attached files. `current` is the ticket being edited; absent for a new one.
 */
export async function checkTicketForm(
  app: FastifyInstance,
  request: FastifyRequest,
  input: { form: TicketForm; body: Record<string, unknown>; choices: FormChoices },
  current?: TicketDetail,
): Promise<TicketFormCheck> {
  const { form, body, choices } = input;
  const result = validateTicket(form, {
    priorities: choices.priorities,
    assignable: choices.directory.ids,
    me: signedIn(request).id,
    today: choices.today,
    ...(current
      ? {
          isNew: false,
          currentDueDate: current.due_date,
          currentAssigneeId: current.assignee_id,
        }
      : { isNew: true }),
  });
  const errors: FieldErrors = result.ok ? {} : { ...result.errors };
  // Only a changed title is judged: one saved before the guard, or confirmed
  // then, is not asked about again on every later save.
  const titleDecision =
    errors.title || form.title === current?.title ? null : await judgeTitle(app, form.title, body);
  if (titleDecision?.kind === 'reject') errors.title = titleDecision.message;
  const filesProblem = filesProblemOf(request);
  if (filesProblem) errors.files = filesProblem;
  return { result, errors, titleDecision };
}
