import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../forms/fields.js';
import { issueTicketFormToken } from '../../repositories/ticket-form-tokens.js';
import type { PickerStep } from '../../staff/picker.js';
import { type EscalationView, escalationView, NO_DESK_MESSAGE } from '../../tickets/escalation.js';
import type { OpenedFrom } from '../../tickets/opened-from.js';
import type { TitleDecision } from '../../tickets/title-guard.js';
import type { TicketForm, ValidTicket } from '../../tickets/validate.js';
import { signedIn } from '../signed-in.js';
import { buildAssigneePicker } from './assignee-picker.js';
import { checkTicketForm } from './check-ticket-form.js';
import { type FormChoices, loadFormChoices } from './form-choices.js';
import { loadTicketFiles } from './ticket-files.js';

export const EMPTY_TICKET_FORM: TicketForm = {
  title: '',
  due_date: '',
  priority: 'none',
  status: 'new',
  description: '',
  assignee: 'self',
};

/** What the ticket window is drawn from: the form as typed and what it offers. */
export interface NewTicketContext {
  form: TicketForm;
  body: Record<string, unknown>;
  from: OpenedFrom;
  choices: FormChoices;
  escalation: EscalationView;
  sendToDesk: boolean;
  /** The window's one-time token: a second post of the same window makes no second ticket. */
  formToken: string | null;
}

export async function loadNewTicketContext(
  app: FastifyInstance,
  request: FastifyRequest,
  input: {
    form: TicketForm;
    body: Record<string, unknown>;
    from: OpenedFrom;
    sendToDesk: boolean;
    formToken: string | null;
  },
): Promise<NewTicketContext> {
  const choices = await loadFormChoices(app);
  const escalation = await escalationView(app.db, signedIn(request));
  return { ...input, choices, escalation };
}

/** The ticket window's data: the form, its messages and the assignee picker. */
export async function buildNewTicketWindow(
  app: FastifyInstance,
  context: NewTicketContext,
  shown: {
    errors?: FieldErrors;
    step?: PickerStep | null;
    titleDecision?: TitleDecision | null;
  } = {},
) {
  const { form, body, from, choices, escalation } = context;
  return {
    title: 'New ticket',
    formToken: context.formToken,
    form,
    errors: shown.errors ?? {},
    openedFrom: from.path,
    openedFromHost: from.host,
    ...choices,
    // Staff who cannot send to the desk find the champions ready in Assigned To.
    assigneePicker: await buildAssigneePicker(
      app,
      choices.directory,
      form,
      body,
      shown.step ?? null,
      escalation.champions.map((c) => c.id),
    ),
    escalation,
    sendToDesk: context.sendToDesk,
    titleDecision: shown.titleDecision ?? null,
    files: { ...(await loadTicketFiles(app, null)), error: shown.errors?.files ?? null },
  };
}

/** An empty ticket window's data, opened from `from` (a hushdesk page or another application's). */
export async function loadNewTicketWindow(
  app: FastifyInstance,
  request: FastifyRequest,
  from: OpenedFrom,
) {
  const context = await loadNewTicketContext(app, request, {
    form: EMPTY_TICKET_FORM,
    body: {},
    from,
    sendToDesk: false,
    formToken: await issueTicketFormToken(app.db, signedIn(request).id, app.now()),
  });
  return buildNewTicketWindow(app, context);
}

export type NewTicketCheck =
  | { ok: true; ticket: ValidTicket; titleDecision: TitleDecision | null }
  | { ok: false; errors: FieldErrors; titleDecision: TitleDecision | null };

/**
 * Every check on a new ticket, so that every problem shows at once: the
 * form's rules, then the title guard on a title that passed them, then
 * whether there is a desk to send to.
 */
export async function checkNewTicket(
  app: FastifyInstance,
  request: FastifyRequest,
  context: NewTicketContext,
): Promise<NewTicketCheck> {
  const { form, body, choices, escalation } = context;
  const { result, errors, titleDecision } = await checkTicketForm(app, request, {
    form,
    body,
    choices,
  });
  if (context.sendToDesk && !escalation.desk) errors.send_to_desk = NO_DESK_MESSAGE;
  if (!result.ok || Object.keys(errors).length > 0) return { ok: false, errors, titleDecision };
  return { ok: true, ticket: result.value, titleDecision };
}
