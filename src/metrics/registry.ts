import { existsSync, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type * as Prometheus from 'prom-client';
import { databaseFile } from '../db/index.js';
import { newestBackup } from '../ops/backups.js';
import { countDeadOutboxMessages, summarizeOutboxQueue } from '../repositories/outbox.js';
import { countActiveSessions } from '../repositories/sessions.js';
import { cacheOf } from '../web/page-cache.js';

/** One answered request, as /metrics counts it. */
export interface AnsweredRequest {
  route: string;
  method: string;
  status: number;
  seconds: number;
}

/** Every metric /metrics serves, in a registry of its own; `observe` counts one request. */
export function buildRegistry(
  prom: typeof Prometheus,
  app: FastifyInstance,
): { registry: Prometheus.Registry; observe: (answered: AnsweredRequest) => void } {
  const { Counter, Gauge, Histogram, Registry } = prom;
  const registry = new Registry();
  const requests = new Counter({
    name: 'hushdesk_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'hushdesk_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => Promise<number> | number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });
  gauge('hushdesk_outbox_queued', 'Notifications waiting to be sent.', async () => {
    return (await summarizeOutboxQueue(app.db)).waiting;
  });
  gauge('hushdesk_outbox_dead', 'Notifications that gave up (dead letters).', () =>
    countDeadOutboxMessages(app.db),
  );
  gauge('hushdesk_sessions_active', 'Signed-in sessions within their limits.', () => {
    const now = app.now().getTime();
    return countActiveSessions(
      app.db,
      new Date(now - app.config.sessionIdleMinutes * 60_000),
      new Date(now - app.config.sessionMaxHours * 3_600_000),
    );
  });
  gauge('hushdesk_database_bytes', 'Size of the database file and its WAL.', () => {
    const file = databaseFile(app.config.dataDir);
    return [file, `${file}-wal`].reduce(
      (sum, f) => sum + (existsSync(f) ? statSync(f).size : 0),
      0,
    );
  });
  gauge(
    'hushdesk_backup_age_seconds',
    'Seconds since the newest backup in DATA_DIR/backups; NaN when there is none.',
    () => {
      const newest = newestBackup(app.config.dataDir);
      return newest ? (app.now().getTime() - newest.at.getTime()) / 1000 : Number.NaN;
    },
  );

  const kept = () => cacheOf(app.db);
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total(
    'hushdesk_kept_pages_served_total',
    'Ticket lists answered from a kept copy, nothing having changed since it was rendered.',
    () => kept().hits,
  );
  total(
    'hushdesk_kept_pages_rendered_total',
    'Ticket lists rendered because no kept copy could be served (SQLite only).',
    () => kept().misses,
  );
  gauge('hushdesk_kept_pages_bytes', 'Memory held by kept ticket lists.', () => kept().bytes);

  return {
    registry,
    observe({ route, method, status, seconds }) {
      requests.inc({ route, method, status: String(status) });
      durations.observe({ route, method }, seconds);
    },
  };
}
