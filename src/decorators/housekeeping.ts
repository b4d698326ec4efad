import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { automaticBackup } from '../db/backup.js';
import { LOCK_KEYS, runExclusively } from '../db/dialect/locking.js';
import { lastOccurrence } from '../ops/schedule.js';
import { pruneAuditLog, recordAudit } from '../repositories/audit.js';
import { purgeDeliveredOutboxMessages } from '../repositories/outbox.js';
import { getAuditRetentionYears } from '../repositories/security-settings.js';
import { forgetSignInFailures } from '../repositories/sign-in-failures.js';
import { agencyTimeZone } from './agency.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface HousekeepingState {
  lastPrune: number | null;
  lastOutboxPurge?: number | null;
}

async function pruneAudit(app: FastifyInstance, now: Date): Promise<void> {
  const years = await getAuditRetentionYears(app.db);
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  const removed = await pruneAuditLog(app.db, cutoff);
  if (removed > 0) {
    await recordAudit(
      app.db,
      {
        actor: { label: 'hushdesk housekeeping' },
        action: 'audit-pruned',
        detail: `${removed} rows older than ${years} years (before ${cutoff.toISOString().slice(0, 10)}) removed`,
      },
      now,
    );
  }
}

/** Delivered mail leaves the outbox after the retention period; the audit log keeps what happened. */
async function purgeOutbox(app: FastifyInstance, now: Date): Promise<void> {
  const days = app.config.outboxRetentionDays;
  const cutoff = new Date(now.getTime() - days * DAY);
  const removed = await purgeDeliveredOutboxMessages(app.db, cutoff);
  if (removed > 0) {
    await recordAudit(
      app.db,
      {
        actor: { label: 'hushdesk housekeeping' },
        action: 'outbox-purged',
        detail: `${removed} delivered messages older than ${days} days (before ${cutoff.toISOString().slice(0, 10)}) removed`,
      },
      now,
    );
  }
}

/**
 * The app's own chores: pruning audit rows past the retention period (the
 * only delete of audit rows there is) and delivered outbox rows past theirs,
 * each once a day; and the nightly backup at BACKUP_AT on the agency's clock
 * when BACKUP_KEEP is set. The timer checks every minute and each chore knows
 * whether it is due, so a restart neither skips nor doubles them.
 */
export async function runHousekeeping(
  app: FastifyInstance,
  state: HousekeepingState,
): Promise<void> {
  const now = app.now();
  if (state.lastPrune === null || now.getTime() - state.lastPrune >= DAY) {
    await pruneAudit(app, now);
    state.lastPrune = now.getTime();
  }
  const lastPurge = state.lastOutboxPurge ?? null;
  if (lastPurge === null || now.getTime() - lastPurge >= DAY) {
    await purgeOutbox(app, now);
    // Failed sign-ins a day old count for nothing (the throttle forgets after an hour).
    await forgetSignInFailures(app.db, new Date(now.getTime() - DAY));
    state.lastOutboxPurge = now.getTime();
  }
  // The nightly backup copies DATA_DIR's SQLite file; PostgreSQL is backed up with pg_dump.
  if (app.config.backupKeep > 0 && !app.config.databaseUrl) {
    const scheduled = lastOccurrence(now, app.config.backupAt, agencyTimeZone(app));
    const report = await automaticBackup(app.config.dataDir, app.config.backupKeep, now, scheduled);
    if (report) app.log.info({ file: report.file, bytes: report.bytes }, 'nightly backup taken');
  }
}

export default fp(
  async (app) => {
    const state: HousekeepingState = { lastPrune: null, lastOutboxPurge: null };
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    const tick = () => {
      // One process at a time when several share a PostgreSQL store; the others skip this hour.
      running ??= runExclusively(app.db, LOCK_KEYS.housekeeping, () => runHousekeeping(app, state))
        .then(() => undefined)
        .catch((error: unknown) => {
          app.log.error({ err: { message: (error as Error).message } }, 'housekeeping failed');
        })
        .finally(() => {
          running = undefined;
        });
    };
    app.addHook('onReady', async () => {
      // First run a minute after start, then every minute (each chore decides
      // whether it is due); unref so it never holds the process open.
      timer = setTimeout(function again() {
        tick();
        timer = setTimeout(again, MINUTE).unref();
      }, MINUTE).unref();
    });
    // preClose: finish a run in progress while the store is still open.
    app.addHook('preClose', async () => {
      clearTimeout(timer);
      await running;
    });
  },
  { name: 'housekeeping' },
);
