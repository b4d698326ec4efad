import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeContext } from '../../change-context.js';
import type { Db } from '../../db/index.js';
import { getEscalationDesk } from '../../repositories/escalation.js';
import type { TicketDetail } from '../../repositories/tickets.js';
import { isExternalSupport } from '../../staff/external.js';
import { completeWaitingChildrenIn } from '../../tickets/complete-children.js';
import { sendToDeskIn } from '../../tickets/escalation.js';
import { isStatus } from '../../tickets/model.js';
import { checkNoteText, readNoteText } from '../../tickets/note-text.js';
import { addNoteIn, type SaveResult, saveTicket, type TicketEdit } from '../../tickets/service.js';
import type { TitleDecision } from '../../tickets/title-guard.js';
import { readTicketForm, type TicketForm } from '../../tickets/validate.js';
import { replyAfterChange } from '../../web/after-change.js';
import { todayOf } from '../../web/agency-today.js';
import { changeOf } from '../../web/change-context.js';
import { signedIn, viewerOf } from '../../web/signed-in.js';
import { pickerStep, renderPickListPage } from '../../web/staff-picker/no-script.js';
import { ASSIGNEE_PICK_LIST, buildAssigneePicker } from '../../web/tickets/assignee-picker.js';
import { checkTicketForm } from '../../web/tickets/check-ticket-form.js';
import {
  mayRequestSend,
  refuseSending,
  wantsToSend,
  whyNotSendable,
} from '../../web/tickets/desk-request.js';
import { loadFormChoices } from '../../web/tickets/form-choices.js';
import {
  flashFromQuery,
  formFromTicket,
  renderTicketPage,
} from '../../web/tickets/render-ticket-page.js';
import { auditConfirmedTitle } from '../../web/tickets/title-check.js';
import {
  ACCEPTS_FILES,
  attachUploadsIn,
  fileCount,
  filesProblemOf,
} from '../../web/tickets/uploads.js';
import { reloadTicket, ticketOf } from '../../web/visible-ticket.js';
import { readEditBase } from '../params.js';

/** Search or Pick list pressed without JavaScript: the page again with the picker's answer. */
async function answerPickerStep(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  state: {
    ticket: TicketDetail;
    form: TicketForm;
    base: ReturnType<typeof readEditBase>;
    body: Record<string, unknown>;
    choices: Awaited<ReturnType<typeof loadFormChoices>>;
    step: NonNullable<ReturnType<typeof pickerStep>>;
    kept: { noteText: string };
  },
) {
  const { ticket, form, base, body, choices, step, kept } = state;
  if (step === 'pick-list') {
    return renderPickListPage(reply, choices.directory, body, {
      ...ASSIGNEE_PICK_LIST,
      action: `/tickets/${ticket.id}`,
    });
  }
  const picker = await buildAssigneePicker(app, choices.directory, form, body, step);
  return renderTicketPage(app, request, reply, ticket, {
    ...{ form, base, assigneePicker: picker },
    ...kept,
  });
}

/** Raised inside the save's transaction when the ticket was sent meanwhile: nothing is kept. */
class SentMeanwhile extends Error {}

const page: FastifyPluginAsync = async (app) => {
  app.get('/tickets/:id', async (request, reply) => {
    const ticket = ticketOf(request);
    const flash = flashFromQuery(request.query as Record<string, unknown>, ticket.id);
    return renderTicketPage(app, request, reply, ticket, { flash });
  });

  app.post('/tickets/:id', ACCEPTS_FILES, async (request, reply) => {
    const ticket = ticketOf(request);
    const body = request.body as Record<string, unknown>;
    if (isExternalSupport(signedIn(request))) {
      return saveStatusOnly(app, request, reply, ticket, body);
    }
    const form = readTicketForm(body);
    const base = readEditBase(body);
    // A note typed before Save is added with the change, never dropped.
    const noteText = readNoteText(body);
    const kept = { noteText };
    const sendToDesk = wantsToSend(body);
    if (sendToDesk && !mayRequestSend(request)) return refuseSending(reply);
    const notSendable = sendToDesk ? await whyNotSendable(app, ticket.id) : null;
    if (notSendable) {
      // Sent meanwhile, or no desk: nothing is saved, the person's input stays
      // in the form and the next Save applies it.
      reply.code(409);
      return renderTicketPage(app, request, reply, ticket, {
        ...{ form, base, escalationMessage: notSendable },
        ...kept,
      });
    }
    const choices = await loadFormChoices(app);
    // Without JavaScript, Search and Pick list submit this form: answer them, save nothing.
    const step = pickerStep(body, 'assignee');
    if (step)
      return answerPickerStep(app, request, reply, {
        ticket,
        form,
        base,
        body,
        choices,
        step,
        kept,
      });
    const checked = await checkTicketForm(app, request, { form, body, choices }, ticket);
    const { result, errors, titleDecision } = checked;
    const noteError = noteText.trim() ? checkNoteText(noteText) : null;
    if (!result.ok || Object.keys(errors).length > 0 || noteError) {
      reply.code(422);
      const picker = await buildAssigneePicker(app, choices.directory, form, body);
      return renderTicketPage(app, request, reply, ticket, {
        ...{ form, errors, base, sendToDesk, titleDecision },
        ...{ assigneePicker: picker, noteText, noteError: noteError ?? undefined },
        filesError: errors.files,
      });
    }
    const edit = { edit: result.value, base, sendToDesk, titleDecision };
    return saveAndAnswer(app, request, reply, { ...edit, form, noteText });
  });
};

export default page;

interface ValidEdit {
  edit: TicketEdit;
  form: TicketForm;
  base: { version: number; seenEventId: number };
  sendToDesk: boolean;
  titleDecision: TitleDecision | null;
  /** The note box; added in the same transaction when not blank. */
  noteText: string;
}

/**
 * Saves the edit and, when the box was ticked, sends the ticket to the desk in
 * the same transaction, as the ticket window does: both happen or neither.
 */
async function saveAndAnswer(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  { edit, form, base, sendToDesk, titleDecision, noteText }: ValidEdit,
) {
  const ticket = ticketOf(request);
  const change = changeOf(request);
  const desk = sendToDesk ? await getEscalationDesk(app.db) : null;
  const withNote = noteText.trim() !== '';
  // "Complete them too": the open tickets waiting on this one, when this Save completes it.
  const completeChildren = (request.body as Record<string, unknown>).complete_children === 'yes';
  const completing = completeChildren && edit.status === 'complete' && ticket.status !== 'complete';
  let children: number[] = [];
  const andThen = async (trx: Db, ticketId: number) => {
    const noteId = withNote
      ? await addNoteIn(trx, app.phi, { ticketId, body: noteText, change })
      : null;
    await attachUploadsIn(trx, request, { ticketId, noteId });
    if (completing) {
      const options = {
        parentId: ticketId,
        viewer: viewerOf(request),
        change,
        today: todayOf(app),
      };
      children = await completeWaitingChildrenIn(trx, app.phi, options);
    }
    await auditConfirmedTitle(trx, ticketId, titleDecision, change);
    if (desk && !(await sendToDeskIn(trx, { ticketId, desk, change }))) throw new SentMeanwhile();
  };
  let saved: SaveResult;
  try {
    saved = await saveTicket(app.db, app.phi, {
      ...{ current: ticket, edit, base, change },
      ...{ today: todayOf(app), andThen },
    });
  } catch (error) {
    if (!(error instanceof SentMeanwhile)) throw error;
    reply.code(409);
    const escalationMessage = (await whyNotSendable(app, ticket.id)) ?? undefined;
    return renderTicketPage(app, request, reply, ticket, {
      ...{ form, base, escalationMessage },
      noteText,
    });
  }
  if (saved.kind !== 'conflict') app.outbox.wake();
  if (saved.kind === 'conflict') {
    reply.code(409);
    // The person's own input stays in the form; the next Save applies it knowingly.
    return renderTicketPage(app, request, reply, await reloadTicket(app, request), {
      ...{ form, conflict: saved.changes, sendToDesk, titleDecision, noteText },
    });
  }
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${ticket.id}?${desk ? 'sent' : 'saved'}=1`,
    fragment: async () =>
      renderTicketPage(app, request, reply, await reloadTicket(app, request), {
        flash: `${savedFlash(saved.kind === 'saved', desk?.name ?? null, withNote, fileCount(request))}${completedFlash(children)}`,
      }),
  });
}

function savedFlash(changed: boolean, sentTo: string | null, noted = false, files = 0): string {
  if (files > 0 && !noted && !sentTo) {
    const added = `${files === 1 ? 'File' : 'Files'} added.`;
    return changed ? `Saved. ${added}` : added;
  }
  const note = noted ? ' Note added.' : '';
  if (sentTo) return `${changed ? `Saved and sent to ${sentTo}.` : `Sent to ${sentTo}.`}${note}`;
  if (noted) return changed ? 'Saved. Note added.' : 'Note added.';
  return changed ? 'Saved.' : 'Nothing to save: no field changed.';
}

function completedFlash(children: number[]): string {
  if (children.length === 0) return '';
  return ` Also completed ${children.map((n) => `#${n}`).join(', ')}, which waited on it.`;
}

const OTHER_FIELDS = ['title', 'due_date', 'priority', 'description', 'assignee', 'send_to_desk'];

/**
 * External support's Save: the status, and nothing else. A form carrying any
 * other field is refused outright rather than half applied.
 */
async function saveStatusOnly(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ticket: TicketDetail,
  body: Record<string, unknown>,
) {
  if (OTHER_FIELDS.some((field) => field in body)) {
    return reply.code(403).page('error', {
      title: 'Not allowed',
      message: 'External support can change a ticket’s status and add notes; nothing else.',
    });
  }
  const base = readEditBase(body);
  const form = {
    ...formFromTicket(ticket, signedIn(request).id),
    status: String(body.status ?? ''),
  };
  if (!isStatus(body.status)) {
    reply.code(422);
    return renderTicketPage(app, request, reply, ticket, {
      form,
      errors: { status: 'Choose a status from the list.' },
      base,
    });
  }
  const change: ChangeContext = changeOf(request);
  const noteText = readNoteText(body);
  const noteError = noteText.trim() ? checkNoteText(noteText) : null;
  const filesError = filesProblemOf(request) ?? undefined;
  if (noteError || filesError) {
    reply.code(422);
    return renderTicketPage(app, request, reply, ticket, {
      ...{ form, base, noteText, noteError: noteError ?? undefined, filesError },
    });
  }
  const withNote = noteText.trim() !== '';
  const saved = await saveTicket(app.db, app.phi, {
    ...{ current: ticket, edit: { status: body.status }, base, change },
    today: todayOf(app),
    andThen: async (trx, ticketId) => {
      const noteId = withNote
        ? await addNoteIn(trx, app.phi, { ticketId, body: noteText, change })
        : null;
      await attachUploadsIn(trx, request, { ticketId, noteId });
    },
  });
  if (saved.kind !== 'conflict') app.outbox.wake();
  const fresh = await reloadTicket(app, request);
  if (saved.kind === 'conflict') {
    reply.code(409);
    return renderTicketPage(app, request, reply, fresh, {
      ...{ form, conflict: saved.changes, noteText },
    });
  }
  return replyAfterChange(request, reply, {
    redirect: `/tickets/${ticket.id}?saved=1`,
    fragment: () =>
      renderTicketPage(app, request, reply, fresh, {
        flash: savedFlash(saved.kind === 'saved', null, withNote, fileCount(request)),
      }),
  });
}
