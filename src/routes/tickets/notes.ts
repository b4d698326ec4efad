import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { auditActorOf } from '../../change-context.js';
import { recordAudit } from '../../repositories/audit.js';
import { findNote } from '../../repositories/timeline.js';
import { NOTE_EDIT_MINUTES } from '../../tickets/model.js';
import { checkNoteText as checkNote, readNoteText as readNote } from '../../tickets/note-text.js';
import { addNoteIn, checkNoteEditable, editNote } from '../../tickets/service.js';
import { replyAfterChange } from '../../web/after-change.js';
import { changeOf } from '../../web/change-context.js';
import { renderTicketPage } from '../../web/tickets/render-ticket-page.js';
import {
  ACCEPTS_FILES,
  attachUploadsIn,
  fileCount,
  filesProblemOf,
} from '../../web/tickets/uploads.js';
import { reloadTicket, ticketOf } from '../../web/visible-ticket.js';
import { idParam } from '../params.js';

const TOO_LATE = `Notes can be edited for ${NOTE_EDIT_MINUTES} minutes after they are written; this one now stands as written.`;

/**
 * The note a request names on its ticket, with whether its author may still
 * edit it; null (the caller answers 404) for a note that is not there or not theirs.
 */
async function noteToEdit(app: FastifyInstance, request: FastifyRequest) {
  const ticket = ticketOf(request);
  const noteId = idParam(request, 'noteId');
  if (noteId === null) return null;
  const change = changeOf(request);
  const check = await checkNoteEditable(app.db, { ticketId: ticket.id, noteId, change });
  if (check === 'missing' || check === 'not-author') return null;
  return { ticket, noteId, change, check };
}

type NoteToEdit = NonNullable<Awaited<ReturnType<typeof noteToEdit>>>;

/** The edit window's page; a note past its window shows why it is locked. */
function editNotePage({ ticket, noteId, check }: NoteToEdit, text: string, problem: string | null) {
  return {
    title: `Edit note on #${ticket.id}`,
    ticket,
    noteId,
    text,
    error: problem ?? (check === 'too-late' ? TOO_LATE : null),
    locked: check === 'too-late',
  };
}

const notes: FastifyPluginAsync = async (app) => {
  app.post('/tickets/:id/notes', ACCEPTS_FILES, async (request, reply) => {
    const ticket = ticketOf(request);
    const text = readNote(request.body as Record<string, unknown>);
    // Files alone are welcome: a screenshot may say all there is to say.
    const filesOnly = fileCount(request) > 0 && !text.trim();
    const problem = filesOnly ? null : checkNote(text);
    const filesError = filesProblemOf(request) ?? undefined;
    if (problem || filesError) {
      reply.code(422);
      return renderTicketPage(app, request, reply, ticket, {
        ...{ noteText: text, noteError: problem ?? undefined, filesError },
      });
    }
    const change = changeOf(request);
    await app.db.transaction().execute(async (trx) => {
      const noteId = filesOnly
        ? null
        : await addNoteIn(trx, app.phi, { ticketId: ticket.id, body: text, change });
      await attachUploadsIn(trx, request, { ticketId: ticket.id, noteId });
    });
    app.outbox.wake();
    return replyAfterChange(request, reply, {
      redirect: `/tickets/${ticket.id}?${filesOnly ? 'attached' : 'noted'}=1#timeline`,
      fragment: async () =>
        renderTicketPage(app, request, reply, await reloadTicket(app, request), {
          flash: filesOnly ? 'Files added.' : 'Note added.',
        }),
    });
  });

  app.get('/tickets/:id/notes/:noteId/edit', async (request, reply) => {
    const target = await noteToEdit(app, request);
    if (!target) return reply.callNotFound();
    const { ticket, noteId, change } = target;
    const note = await findNote(app.db, app.phi, ticket.id, noteId);
    await recordAudit(
      app.db,
      { actor: auditActorOf(change), action: 'note-viewed', ticketId: ticket.id, ip: change.ip },
      change.now,
    );
    return reply.page('tickets/edit-note', editNotePage(target, note?.body ?? '', null));
  });

  app.post('/tickets/:id/notes/:noteId', async (request, reply) => {
    const target = await noteToEdit(app, request);
    if (!target) return reply.callNotFound();
    const { ticket, noteId, change, check } = target;
    const text = readNote(request.body as Record<string, unknown>);
    const problem = check === 'too-late' ? TOO_LATE : checkNote(text);
    if (problem) {
      return reply
        .code(check === 'too-late' ? 409 : 422)
        .page('tickets/edit-note', editNotePage(target, text, problem));
    }
    await editNote(app.db, app.phi, { ticketId: ticket.id, noteId, body: text, change });
    return reply.redirect(`/tickets/${ticket.id}?saved=1#timeline`, 303);
  });
};

export default notes;
