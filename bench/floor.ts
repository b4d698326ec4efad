import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Eta } from 'eta';
import Fastify from 'fastify';

/**
 * The floor: what Fastify + Eta + better-sqlite3 cost for the same 50 list rows
 * with nothing of hushdesk around them (no session, layout, checks or Kysely).
 * hushdesk's lists are measured against it: the gap is what our own code costs.
 *
 * `DATA_DIR=... PORT=... node dist/bench/floor.js`
 */
const ROWS = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tickets</title></head>
<body><table>
<thead><tr><th>#</th><th>Title</th><th>Status</th><th>Priority</th><th>Assigned to</th><th>Due</th><th>Updated</th></tr></thead>
<tbody>
<% for (const t of it.tickets) { %>
<tr><td><a href="/tickets/<%= t.id %>"><%= t.id %></a></td><td><%= t.title %></td><td><%= t.status %></td><td><%= t.priority %></td><td><%= t.assignee ?? '' %></td><td><%= t.due_date ?? '' %></td><td><%= t.updated_at %></td></tr>
<% } %>
</tbody></table></body></html>`;

/** The same columns a ticket list shows, newest first: a walk down the primary key. */
const QUERY = `select t.id, t.title, t.status, p.name as priority, s.name as assignee, t.due_date, t.updated_at
  from tickets t join priorities p on p.id = t.priority_id left join staff s on s.id = t.assignee_id
  order by t.id desc limit 50`;

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? 'bench-data/main');
  const sqlite = new SQLite(join(dataDir, 'hushdesk.db'), { readonly: true });
  const rows = sqlite.prepare(QUERY);
  const eta = new Eta({ autoEscape: true });
  eta.loadTemplate('@rows', ROWS);

  const app = Fastify({ logger: false });
  app.get('/', async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    return eta.render('@rows', { tickets: rows.all() });
  });
  await app.listen({ port: Number(process.env.PORT ?? 3999), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
