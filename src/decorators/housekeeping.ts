import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { automaticBackup } from '../db/backup.js';
import { LOCK_KEYS, runExclusively } from '../db/dialect/locking.js';
import { pruneAuditLog, recordAudit } from '../repositories/audit.js';
import { getAuditRetentionYears } from '../repositories/security-settings.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface HousekeepingState {
  lastPrune: number | null;
}

/**
 * The app's own daily chores: pruning audit rows past the retention period
 * (the only delete of audit rows there is), and the nightly backup when
 * BACKUP_KEEP is set. Each is due once a day; the timer checks hourly, so a
 * restart neither skips nor doubles them.
 */
export async function runHousekeeping(
  app: FastifyInstance,
  state: HousekeepingState,
): Promise<void> {
  const now = app.now();
  if (state.lastPrune === null || now.getTime() - state.lastPrune >= DAY) {
    const years = await getAuditRetentionYears(app.db);
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
    const removed = await pruneAuditLog(app.db, cutoff);
    state.lastPrune = now.getTime();
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
  // The nightly backup copies DATA_DIR's SQLite file; PostgreSQL is backed up with pg_dump.
  if (app.config.backupKeep > 0 && !app.config.databaseUrl) {
    const report = await automaticBackup(app.config.dataDir, app.config.backupKeep, now);
    if (report) app.log.info({ file: report.file, bytes: report.bytes }, 'nightly backup taken');
  }
}

export default fp(
  async (app) => {
    const state: HousekeepingState = { lastPrune: null };
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
      // First run a minute after start, then hourly; unref so it never holds the process open.
      timer = setTimeout(function again() {
        tick();
        timer = setTimeout(again, HOUR).unref();
      }, 60_000).unref();
    });
    // preClose: finish a run in progress while the store is still open.
    app.addHook('preClose', async () => {
      clearTimeout(timer);
      await running;
    });
  },
  { name: 'housekeeping' },
);
