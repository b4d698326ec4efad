import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isHtmx } from '../../decorators/render.js';
import {
  findVisibleTicket,
  listAssociatedStaff,
  type TicketDetail,
} from '../../repositories/tickets.js';
import { staffDirectory } from '../../staff/directory.js';
import { staffIdOf } from '../../staff/picker.js';
import { addAssociated, removeAssociated } from '../../tickets/associated.js';
import { replyAfterChange } from '../../web/after-change.js';
import { changeOf } from '../../web/change-context.js';
import { signedIn, viewerOf } from '../../web/signed-in.js';
import { pickerStep, posted, renderPickListPage } from '../../web/staff-picker/no-script.js';
import {
  type AssociatedForm,
  buildAssociatedForm,
  ASSOCIATE_FIELD as FIELD,
} from '../../web/tickets/associated-form.js';
import { renderTicketPage } from '../../web/tickets/render-ticket-page.js';
import { ticketOf } from '../../web/visible-ticket.js';

/** One line for the timeline, appended in place after an htmx change; worded by _event.eta. */
type NewTimelineLine = { at: string; staff_name: string } & (
  | { kind: 'associated_added'; new_value: string }
  | { kind: 'associated_removed'; old_value: string }
);

/**
 * The section alone for htmx (with the new timeline line), the ticket page
 * otherwise. Changes without JavaScript redirect instead (see the routes).
 */
async function renderSection(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ticket: TicketDetail,
  form: AssociatedForm,
  line: NewTimelineLine | null = null,
) {
  if (!isHtmx(request))
    return renderTicketPage(app, request, reply, ticket, { associatedForm: form });
  const associated = await listAssociatedStaff(app.db, ticket.id);
  return reply.page(
    'tickets/show',
    { ticket, associated, associatedForm: form, line },
    { fragment: 'tickets/_associated-swap' },
  );
}

const NOBODY_CHOSEN =
  'Choose a person to add: type part of a name in Quick search, or use the Pick list.';
const NOT_ON_STAFF = 'Choose someone on the staff list.';

/** The no-script pick list for adding associated staff to ticket `ticketId`. */
function associatedPickList(ticketId: number) {
  return {
    action: `/tickets/${ticketId}/associated`,
    field: FIELD,
    label: 'Staff associated with Ticket',
    first: 'choose' as const,
    title: `Pick list: staff associated with #${ticketId}`,
  };
}

/** The timeline line for someone just added, before the page is drawn again. */
function addedLine(app: FastifyInstance, request: FastifyRequest, name: string): NewTimelineLine {
  return {
    at: app.now().toISOString(),
    staff_name: signedIn(request).name,
    kind: 'associated_added',
    new_value: name,
  };
}

const associated: FastifyPluginAsync = async (app) => {
  app.post('/tickets/:id/associated', async (request, reply) => {
    const ticket = ticketOf(request);
    const body = request.body as Record<string, unknown>;
    const directory = await staffDirectory(app.db);

    // Without JavaScript, Search and Pick list submit this form: answer them, add nobody.
    const step = pickerStep(body, FIELD);
    if (step === 'pick-list') {
      return renderPickListPage(reply, directory, body, associatedPickList(ticket.id));
    }
    if (step) {
      return renderSection(
        app,
        request,
        reply,
        ticket,
        await buildAssociatedForm(app, directory, { body, step }),
      );
    }

    const chosen = staffIdOf(posted(body, FIELD));
    const person = chosen === null ? undefined : directory.find(chosen);
    if (!person) {
      const form = await buildAssociatedForm(app, directory, { body });
      form.error = chosen === null ? NOBODY_CHOSEN : NOT_ON_STAFF;
      reply.code(422);
      return renderSection(app, request, reply, ticket, form);
    }
    const added = await addAssociated(app.db, {
      ticketId: ticket.id,
      person,
      change: changeOf(request),
    });
    return replyAfterChange(request, reply, {
      redirect: `/tickets/${ticket.id}?associated=1`,
      fragment: async () => {
        const form = await buildAssociatedForm(app, directory, {
          flash: added
            ? `${person.name} added to associated staff.`
            : `${person.name} is already associated with this ticket.`,
        });
        const line = added ? addedLine(app, request, person.name) : null;
        return renderSection(app, request, reply, ticket, form, line);
      },
    });
  });

  app.post('/tickets/:id/associated/remove', async (request, reply) => {
    const ticket = ticketOf(request);
    const me = signedIn(request);
    const staffId = staffIdOf(posted(request.body as Record<string, unknown>, 'staff_id'));
    const person = (await listAssociatedStaff(app.db, ticket.id)).find(
      (a) => a.staff_id === staffId,
    );
    const removed =
      person !== undefined &&
      (await removeAssociated(app.db, {
        ticketId: ticket.id,
        person: { id: person.staff_id, name: person.name, username: person.username },
        change: changeOf(request),
      }));
    // Someone who takes themselves off may no longer see the ticket at all.
    if (!(await findVisibleTicket(app.db, app.phi, ticket.id, viewerOf(request)))) {
      if (isHtmx(request)) return reply.header('hx-redirect', '/').code(204).send();
      return reply.redirect('/', 303);
    }
    return replyAfterChange(request, reply, {
      redirect: `/tickets/${ticket.id}?associated=1`,
      fragment: async () => {
        const form = await buildAssociatedForm(app, await staffDirectory(app.db), {
          flash: removed
            ? `${person?.name} removed from associated staff.`
            : 'They were not associated with this ticket.',
        });
        const line =
          removed && person
            ? {
                at: app.now().toISOString(),
                staff_name: me.name,
                kind: 'associated_removed' as const,
                old_value: person.name,
              }
            : null;
        return renderSection(app, request, reply, ticket, form, line);
      },
    });
  });
};

export default associated;
