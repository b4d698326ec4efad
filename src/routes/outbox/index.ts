import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { auditChange } from '../../change-context.js';
import type { OutboxStatus } from '../../db/schema.js';
import { agencyTimeZone } from '../../decorators/agency.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import {
  findOutboxMessageById,
  listOutboxMessages,
  retryDeadOutboxMessage,
} from '../../repositories/outbox.js';
import { formatDateTime } from '../../tickets/dates.js';
import { changeOf } from '../../web/change-context.js';

const STATUSES: readonly OutboxStatus[] = [
  'queued',
  'sending',
  'retrying',
  'sent',
  'dead',
  'delivered_locally',
];
const PAGE_SIZE = 50;

function statusFilter(value: unknown): OutboxStatus | null {
  return STATUSES.find((s) => s === value) ?? null;
}

function idParam(request: FastifyRequest): number | null {
  const raw = (request.params as { id?: string }).id ?? '';
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** Administrators read what hushdesk sent (or would have sent) and retry dead messages. */
const outbox: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');
  const notFound = { title: 'Not found', message: 'There is no such message in the outbox.' };
  // The agency's time zone and format, as on every other page.
  const time = (iso: string | null) => formatDateTime(iso, agencyTimeZone(app));

  app.get('/outbox', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const status = statusFilter(query.status);
    const before = typeof query.before === 'string' && /^\d{1,15}$/.test(query.before);
    const messages = await listOutboxMessages(app.db, {
      status,
      beforeId: before ? Number(query.before) : null,
      limit: PAGE_SIZE,
    });
    const last = messages.at(-1);
    return reply.page('outbox/index', {
      title: 'Outbox',
      statuses: STATUSES,
      status,
      messages,
      time,
      olderLink:
        messages.length === PAGE_SIZE && last
          ? `/outbox?${new URLSearchParams({ ...(status ? { status } : {}), before: String(last.id) })}`
          : null,
      localMode: app.outbox.mode === 'local',
    });
  });

  app.get('/outbox/:id', async (request, reply) => {
    const id = idParam(request);
    const message = id === null ? undefined : await findOutboxMessageById(app.db, id);
    if (!message) return reply.code(404).page('error', notFound);
    const query = request.query as Record<string, unknown>;
    return reply.page('outbox/show', {
      title: `Outbox message ${message.id}`,
      message,
      time,
      retried: query.retried === '1',
    });
  });

  app.post('/outbox/:id/retry', async (request, reply) => {
    const id = idParam(request);
    const message = id === null ? undefined : await findOutboxMessageById(app.db, id);
    const staff = request.staff;
    if (!message || !staff) return reply.code(404).page('error', notFound);
    const now = app.now();
    const retried = await app.db.transaction().execute(async (trx) => {
      if (!(await retryDeadOutboxMessage(trx, message.id, now))) return false;
      await auditChange(trx, changeOf(request), {
        action: 'outbox-retried',
        ticketId: message.ticket_id,
        detail: `outbox message ${message.id}`,
      });
      return true;
    });
    if (!retried) {
      return reply.code(409).page('error', {
        title: 'Nothing to retry',
        message: 'Only a dead message can be retried; this one is already on its way or sent.',
      });
    }
    app.outbox.wake();
    return reply.redirect(`/outbox/${message.id}?retried=1`, 303);
  });
};

export default outbox;
