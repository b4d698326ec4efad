import type { PhiCipher } from '../crypto/phi.js';
import type { Db } from '../db/index.js';
import { queueTicketNotification } from '../notifications/compose.js';
import { type AuditActor, recordAudit } from '../repositories/audit.js';
import { listPriorities } from '../repositories/priorities.js';
import { getTitlePatterns } from '../repositories/security-settings.js';
import { getBillingCoordinatorId } from '../repositories/settings.js';
import { findStaffById, findStaffByUsername } from '../repositories/staff.js';
import { insertTicket } from '../repositories/tickets.js';
import { type NewEvent, recordEvents } from '../repositories/timeline.js';
import { newTicketRow } from './service.js';
import {
  checkTitle,
  decideTitle,
  TITLE_CONFIRM_FIELD,
  TITLE_CONFIRMED_ACTION,
  type TitleDecision,
} from './title-guard.js';
import { type TicketForm, validateTicket } from './validate.js';

/** Who is calling the API: a token and the staff row that stands for it. */
export interface AutomationIdentity {
  tokenId: number;
  tokenName: string;
  /** The token's automation identity (staff row): tickets' creator. */
  staffId: number;
  /** "Automation: billing-sync", as the timeline shows it. */
  staffName: string;
}

/** Audit rows name the token and its identity's staff row. */
export function tokenActor(identity: AutomationIdentity): AuditActor {
  return {
    staffId: identity.staffId,
    tokenId: identity.tokenId,
    label: `token: ${identity.tokenName}`,
  };
}

/** The API's field names: the JSON body's, not the form's. */
export type ApiField =
  | 'body'
  | 'title'
  | 'title_no_phi'
  | 'description'
  | 'priority'
  | 'due'
  | 'assignee';
export type ApiErrors = Partial<Record<ApiField, string>>;

/** [auto-assignment]: what an automated process sends instead of a username. */
export const AUTO = 'auto';

type Assignment =
  | { kind: 'auto'; assigneeId: number | null; assigneeName: string | null }
  | { kind: 'named'; assigneeId: number };

/**
 * Turns the JSON into the ticket window's fields. A field of the wrong type
 * gets its message here and is read as absent, so the other fields are still
 * checked and every problem is reported at once.
 */
function readBody(
  body: unknown,
): { form: TicketForm; titleNoPhi: boolean; errors: ApiErrors } | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const fields = body as Record<string, unknown>;
  const errors: ApiErrors = {};
  const read = (name: Exclude<ApiField, 'body' | 'title_no_phi'>, fallback: string): string => {
    const value = fields[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value;
    errors[name] = 'Send this as a string.';
    return fallback;
  };
  const form: TicketForm = {
    title: read('title', '').trim(),
    due_date: read('due', '').trim(),
    priority: read('priority', 'none').trim().toLowerCase(),
    status: 'new',
    description: read('description', '').replace(/\r\n?/g, '\n'),
    assignee: read('assignee', AUTO).trim(),
  };
  const noPhi = fields[TITLE_CONFIRM_FIELD];
  if (noPhi !== undefined && noPhi !== null && typeof noPhi !== 'boolean') {
    errors.title_no_phi = 'Send true or false.';
  }
  return { form, titleNoPhi: noPhi === true, errors };
}

/**
 * The title guard's rejection in the API's words: a soft match is confirmed
 * with a JSON field, not a checkbox.
 */
function titleMessage(decision: TitleDecision & { kind: 'reject' }, what: string): string {
  if (!decision.confirmable) return decision.message;
  return `The title contains ${what}. If it is not client information (a due date, a meeting), send "${TITLE_CONFIRM_FIELD}": true with the ticket; if it is, move it to the description.`;
}

/**
 * "auto" goes to the billing coordinator designated in Settings, if they are
 * still active; with nobody designated the ticket stays unassigned. Anything
 * else must be the username of an active person.
 */
async function resolveAssignee(db: Db, assignee: string): Promise<Assignment | null> {
  if (assignee.toLowerCase() === AUTO) {
    const coordinatorId = await getBillingCoordinatorId(db);
    const coordinator = coordinatorId === null ? undefined : await findStaffById(db, coordinatorId);
    return coordinator?.active === 1
      ? { kind: 'auto', assigneeId: coordinator.id, assigneeName: coordinator.name }
      : { kind: 'auto', assigneeId: null, assigneeName: null };
  }
  const staff = await findStaffByUsername(db, assignee);
  return staff?.active === 1 ? { kind: 'named', assigneeId: staff.id } : null;
}

export type AutomatedTicketResult = { ok: true; id: number } | { ok: false; errors: ApiErrors };

/**
 * Creates a ticket for the automation API, with the ticket window's own
 * validation (validateTicket), then in one transaction: the ticket, its
 * timeline, the audit row and the assignee's notification. The automation
 * identity is not added to associated staff: that rule keeps a person who
 * assigns to someone else in touch, and a token reads its tickets through the API.
 */
export async function createAutomatedTicket(
  db: Db,
  phi: PhiCipher,
  body: unknown,
  identity: AutomationIdentity,
  context: { baseUrl: string; now: Date; today: string; ip: string },
): Promise<AutomatedTicketResult> {
  const read = readBody(body);
  if (!read) return { ok: false, errors: { body: 'Send a JSON object with the ticket’s fields.' } };
  const { form } = read;

  const [priorities, assignment] = await Promise.all([
    listPriorities(db),
    resolveAssignee(db, form.assignee),
  ]);
  // The assignee is resolved above; "self" only satisfies the form's rule here.
  const result = validateTicket(
    { ...form, assignee: 'self' },
    { priorities, assignable: new Set(), me: identity.staffId, today: context.today, isNew: true },
  );
  const errors: ApiErrors = {};
  let titleDecision: TitleDecision | null = null;
  if (!result.ok) {
    const { due_date, priority, status: _status, assignee: _assignee, ...rest } = result.errors;
    Object.assign(errors, rest);
    if (due_date) errors.due = due_date.replace('such as', 'as YYYY-MM-DD, such as');
    if (priority) errors.priority = `Use one of: ${priorities.map((p) => p.key).join(', ')}.`;
  }
  // The same guard as the ticket window, on a title that passed the usual checks.
  if (!errors.title) {
    const verdict = checkTitle(form.title, {
      patterns: await getTitlePatterns(db),
      now: context.now,
    });
    titleDecision = decideTitle(verdict, read.titleNoPhi);
    if (titleDecision.kind === 'reject' && verdict.kind !== 'ok') {
      errors.title = titleMessage(titleDecision, verdict.what);
    }
  }
  if (!assignment) {
    errors.assignee = `Send "${AUTO}" or the username of an active staff member.`;
  }
  // A field sent with the wrong type keeps that message, not one about its absence.
  Object.assign(errors, read.errors);
  if (!result.ok || !assignment || Object.keys(errors).length > 0) return { ok: false, errors };

  const ticket = result.value;
  const { now } = context;
  const id = await db.transaction().execute(async (trx) => {
    const ticketId = await insertTicket(
      trx,
      phi,
      newTicketRow(ticket, { assigneeId: assignment.assigneeId, openedFrom: null }),
      identity.staffId,
      now,
    );
    const events: NewEvent[] = [{ ticketId, staffId: identity.staffId, kind: 'created' }];
    if (assignment.kind === 'auto') {
      events.push({
        ticketId,
        staffId: identity.staffId,
        kind: 'changed',
        field: 'Assigned To',
        oldValue: '[auto-assignment]',
        newValue: assignment.assigneeName ?? 'nobody (no billing coordinator in Settings)',
      });
    }
    await recordEvents(trx, events, now);
    const audit = (action: string, detail: string | null) =>
      recordAudit(
        trx,
        { actor: tokenActor(identity), action, ticketId, detail, ip: context.ip },
        now,
      );
    await audit(
      'api-ticket-created',
      assignment.kind === 'auto'
        ? `auto-assigned to ${assignment.assigneeName ?? 'nobody (no billing coordinator)'}`
        : null,
    );
    if (titleDecision?.kind === 'accept' && titleDecision.confirmed) {
      await audit(TITLE_CONFIRMED_ACTION, titleDecision.confirmed.auditDetail);
    }
    if (assignment.assigneeId !== null) {
      await queueTicketNotification(
        trx,
        {
          kind: assignment.kind === 'auto' ? 'auto_assigned' : 'assigned',
          ticketId,
          actor: { id: identity.staffId, name: identity.staffName },
        },
        { baseUrl: context.baseUrl, now },
      );
    }
    return ticketId;
  });
  return { ok: true, id };
}
