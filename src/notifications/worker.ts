import type { FastifyBaseLogger } from 'fastify';
import { LOCK_KEYS, runExclusively } from '../db/dialect/locking.js';
import type { Db } from '../db/index.js';
import { MailError, type Mailer } from '../mail/mailer.js';
import {
  claimDueOutboxMessages,
  deliverDueOutboxMessagesLocally,
  markOutboxFailed,
  markOutboxSent,
  releaseOutboxClaims,
  renewOutboxClaim,
  requeueInterruptedOutboxMessages,
} from '../repositories/outbox.js';
import { queueDailyReminders } from './reminders.js';

export interface OutboxWorkerOptions {
  db: Db;
  /** Null: no SMTP_URL, messages stay in the outbox as delivered locally. */
  mailer: Mailer | null;
  now: () => Date;
  log: FastifyBaseLogger;
  /** Milliseconds between passes; 0 runs no timer (tests call `runOnce`). */
  pollMs: number;
  /** After this many failed attempts a message is dead. */
  maxAttempts?: number;
  /** The morning reminders; omitted, none are queued. */
  reminders?: { baseUrl: string; timeZone: string };
  /** For jitter; tests may fix it. */
  random?: () => number;
  /**
   * How long a claimed row is this process's; past it another process may send it.
   * From OUTBOX_LEASE_SECONDS: far longer than one send may take (the mailer's own
   * timeouts end it first).
   */
  leaseMs: number;
}

export interface PassReport {
  sent: number;
  retrying: number;
  dead: number;
  deliveredLocally: number;
}

const BATCH = 20;
/** A pass sends at most this many batches, so close() never waits long. */
const MAX_BATCHES = 25;
export const DEFAULT_MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 60 * 60_000;

/**
 * Exponential backoff with jitter: about 1, 2, 4 … minutes, at most an hour, each
 * between half and all of that, so a recovered server is not hit by every
 * message at once.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Sends due outbox rows inside the server process. A batch of rows is claimed
 * (`sending`, with a lease) in one short statement, each sent with no
 * transaction open, then marked sent or failed. Passes never overlap within a
 * process; across processes the claim keeps each row to one of them.
 */
export class OutboxWorker {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly maxAttempts: number;
  private readonly random: () => number;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.random = options.random ?? Math.random;
  }

  get mode(): 'smtp' | 'local' {
    return this.options.mailer ? 'smtp' : 'local';
  }

  /** Rows a crash left in `sending` go back to the queue; then polling begins. */
  async start(): Promise<void> {
    const requeued = await requeueInterruptedOutboxMessages(this.options.db);
    if (requeued > 0) {
      this.options.log.warn({ requeued }, 'outbox: requeued messages interrupted while sending');
    }
    this.schedule(0);
  }

  /** Ends polling, waits for a pass in progress, closes the transport. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
    this.options.mailer?.close();
  }

  /** One pass, after any pass already running. */
  runOnce(): Promise<PassReport> {
    const pass = this.chain.then(() => this.pass());
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  /** Asks for a pass soon (after a retry, say); does nothing when polling is off. */
  wake(): void {
    if (this.options.pollMs > 0 && !this.stopped) this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.options.pollMs <= 0 || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runOnce()
        .catch((error: unknown) => {
          this.options.log.error({ err: describe(error) }, 'outbox: pass failed');
        })
        .finally(() => {
          if (!this.timer) this.schedule(this.options.pollMs);
        });
    }, delay);
    this.timer.unref();
  }

  private async pass(): Promise<PassReport> {
    const report: PassReport = { sent: 0, retrying: 0, dead: 0, deliveredLocally: 0 };
    if (this.stopped) return report;
    const { db, mailer, reminders } = this.options;
    if (reminders) {
      // One process at a time, so two processes never both queue the morning's reminders.
      await runExclusively(db, LOCK_KEYS.reminders, async () => {
        await queueDailyReminders(db, { ...reminders, now: this.options.now() });
      });
    }
    if (!mailer) {
      report.deliveredLocally = await deliverDueOutboxMessagesLocally(db, this.options.now());
      return report;
    }
    const { leaseMs } = this.options;
    for (let batch = 0; batch < MAX_BATCHES && !this.stopped; batch++) {
      const claimed = await claimDueOutboxMessages(db, {
        now: this.options.now(),
        limit: BATCH,
        leaseMs,
      });
      if (claimed.length === 0) break;
      for (const row of claimed) {
        const leaseEnds = new Date(this.options.now().getTime() + leaseMs);
        if (!(await renewOutboxClaim(db, row, leaseEnds))) continue;
        try {
          await mailer.send({
            to: row.to_address,
            subject: row.subject,
            text: row.text_body,
            html: row.html_body,
            messageId: row.message_id,
          });
          await markOutboxSent(db, row, this.options.now());
          report.sent++;
        } catch (error) {
          const failure =
            error instanceof MailError ? error : new MailError(describe(error).message, false);
          const attempts = row.attempts;
          const giveUp = failure.permanent || attempts >= this.maxAttempts;
          const retryAt = giveUp
            ? null
            : new Date(this.options.now().getTime() + retryDelayMs(attempts, this.random));
          await markOutboxFailed(db, row, { error: failure.message, retryAt });
          if (giveUp) report.dead++;
          else report.retrying++;
          this.options.log.warn(
            { outboxId: row.id, attempts, permanent: failure.permanent, dead: giveUp },
            'outbox: sending failed',
          );
          // The server is unreachable: the rest would fail the same way, so they go back
          // to the queue as they were, their claim undone.
          if (failure.connectionFailed) {
            await releaseOutboxClaims(db, claimed.slice(claimed.indexOf(row) + 1));
            return report;
          }
        }
      }
    }
    return report;
  }
}

function describe(error: unknown): { type: string; message: string } {
  return error instanceof Error
    ? { type: error.name, message: error.message }
    : { type: 'unknown', message: String(error) };
}
