import fp from 'fastify-plugin';
import { createMailer } from '../mail/mailer.js';
import { OutboxWorker } from '../notifications/worker.js';
import { agencyTimeZone } from './agency.js';

export interface OutboxOptions {
  /** Milliseconds between passes (default 5 s); 0 polls never, and tests call `app.outbox.runOnce()`. */
  pollMs?: number;
  maxAttempts?: number;
  random?: () => number;
  /** How long a claimed message is this process's before another may take it over. */
  leaseMs?: number;
}

/**
 * The outbox worker: sends queued notifications in the background, starts when
 * the app is ready (after migrations) and stops before the store closes.
 */
export default fp<OutboxOptions>(async (app, options) => {
  const worker = new OutboxWorker({
    db: app.db,
    mailer: createMailer(app.config),
    now: () => app.now(),
    log: app.log.child({ module: 'outbox' }),
    pollMs: options.pollMs ?? 5000,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.random ? { random: options.random } : {}),
    leaseMs: options.leaseMs ?? app.config.outboxLeaseSeconds * 1000,
    // A getter: the worker spreads this object on every pass, so a time zone
    // saved in Settings applies to the next morning's reminders.
    reminders: {
      baseUrl: app.config.baseUrl,
      get timeZone() {
        return agencyTimeZone(app);
      },
    },
  });
  app.decorate('outbox', worker);
  app.addHook('onReady', () => worker.start());
  app.addHook('preClose', () => worker.stop());
});

declare module 'fastify' {
  interface FastifyInstance {
    outbox: OutboxWorker;
  }
}
