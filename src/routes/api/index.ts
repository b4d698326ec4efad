import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { openApiDocument } from '../../api/openapi.js';
import { TOKEN_PREFIX } from '../../api/tokens.js';
import { hashToken } from '../../auth/tokens.js';
import { agencyTimeZone } from '../../decorators/agency.js';
import { findApiTokenByHash, markApiTokenUsed } from '../../repositories/api-tokens.js';
import { recordAudit } from '../../repositories/audit.js';
import { findTicketCreatedBy } from '../../repositories/automation.js';
import { findStaffById } from '../../repositories/staff.js';
import {
  type AutomationIdentity,
  createAutomatedTicket,
  tokenActor,
} from '../../tickets/automation.js';
import { agencyToday } from '../../tickets/dates.js';
import apiAttachments from './attachments.js';

/**
 * The automation API (version 1). Every route but the OpenAPI document needs
 * an API token as a bearer token; nothing here reads a session or a cookie
 * (the auth decorator skips /api/), so a signed-in browser gets 401 like
 * anyone else, and with no cookie involved there is nothing for CSRF to forge.
 */
const api: FastifyPluginAsync = async (app) => {
  // Describes the API and holds no data: public, like any API's documentation.
  app.get('/api/v1/openapi.json', async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(openApiDocument(app.config.baseUrl)),
  );

  await app.register(bearerRoutes);
};

function problem(reply: FastifyReply, code: number, body: object): FastifyReply {
  return reply.code(code).header('cache-control', 'no-store').send(body);
}

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return problem(reply.header('www-authenticate', 'Bearer realm="hushdesk"'), 401, {
    error: message,
  });
}

const bearerRoutes: FastifyPluginAsync = async (app) => {
  app.decorateRequest('automation', null);
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, skipCsrf: true };
  });

  app.addHook('onRequest', async (request, reply) => {
    const match = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
    const secret = match?.[1];
    if (!secret?.startsWith(TOKEN_PREFIX)) {
      return unauthorized(reply, 'Send an API token: Authorization: Bearer <token>.');
    }
    const token = await findApiTokenByHash(app.db, hashToken(secret));
    const now = app.now();
    if (!token || token.revoked_at) {
      if (token) {
        await recordAudit(
          app.db,
          {
            actor: { staffId: token.staff_id, tokenId: token.id, label: `token: ${token.name}` },
            action: 'api-token-refused',
            detail: 'revoked token used',
            ip: request.ip,
          },
          now,
        );
      } else request.log.warn({ path: request.routeOptions.url }, 'unknown API token');
      return unauthorized(reply, 'That API token is not valid or has been revoked.');
    }
    const identity = await findStaffById(app.db, token.staff_id);
    request.automation = {
      tokenId: token.id,
      tokenName: token.name,
      staffId: token.staff_id,
      staffName: identity?.name ?? `Automation: ${token.name}`,
    };
    await markApiTokenUsed(app.db, token.id, request.ip, now);
  });

  const identityOf = (request: FastifyRequest): AutomationIdentity => {
    if (!request.automation) throw new Error('API route without its token check');
    return request.automation;
  };

  app.post('/api/v1/tickets', async (request, reply) => {
    const identity = identityOf(request);
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return problem(reply, 415, {
        error: 'Send the ticket as JSON (Content-Type: application/json).',
      });
    }
    const now = app.now();
    const result = await createAutomatedTicket(app.db, app.phi, request.body, identity, {
      baseUrl: app.config.baseUrl,
      now,
      today: agencyToday(now, agencyTimeZone(app)),
      ip: request.ip,
    });
    if (!result.ok) {
      await recordAudit(
        app.db,
        {
          actor: tokenActor(identity),
          action: 'api-ticket-refused',
          // The fields only, never what was sent: it may hold PHI.
          detail: `invalid: ${Object.keys(result.errors).join(', ')}`,
          ip: request.ip,
        },
        now,
      );
      return problem(reply, 422, { errors: result.errors });
    }
    const url = `${app.config.baseUrl}/tickets/${result.id}`;
    return problem(reply.header('location', url), 201, { number: result.id, url });
  });

  app.get('/api/v1/tickets/:number', async (request, reply) => {
    const identity = identityOf(request);
    const raw = (request.params as { number?: string }).number ?? '';
    const number = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
    const ticket =
      number === null ? undefined : await findTicketCreatedBy(app.db, number, identity.staffId);
    const now = app.now();
    await recordAudit(
      app.db,
      {
        actor: tokenActor(identity),
        action: ticket ? 'api-ticket-read' : 'api-ticket-not-found',
        ticketId: ticket?.id ?? null,
        // A number the token did not create is answered like a missing one.
        detail: ticket ? null : `asked for ticket ${raw.slice(0, 20)}`,
        ip: request.ip,
      },
      now,
    );
    if (!ticket) return problem(reply, 404, { error: 'Not found.' });
    return problem(reply, 200, {
      number: ticket.id,
      url: `${app.config.baseUrl}/tickets/${ticket.id}`,
      title: ticket.title,
      status: ticket.status,
      priority: ticket.priority_key,
      due: ticket.due_date,
      completed: ticket.completed_date,
      assignee: ticket.assignee_username,
      created: ticket.created_at,
      updated: ticket.updated_at,
    });
  });
  await app.register(apiAttachments);
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The API token behind a request to the automation API. */
    automation: AutomationIdentity | null;
  }
}

export default api;
