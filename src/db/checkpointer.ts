import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * SQLite's checkpoints, taken off the writer's commits.
 *
 * In WAL mode a commit appends to the -wal file, and by default the commit that
 * takes the WAL past 1,000 pages then copies it into the database file and
 * fsyncs that too, on the event loop, while every other request waits. Here a
 * worker thread with a connection of its own runs a PASSIVE checkpoint every
 * `everyMs` instead: it never blocks the writer or a reader, and the writer's
 * automatic checkpoint stays only as a backstop (`BACKSTOP_PAGES`), for a
 * checkpointer that has stopped or cannot keep up. Durability is unchanged:
 * every commit is still fsynced to the WAL before it is acknowledged
 * (synchronous=FULL), and a checkpoint only moves what is already safe.
 */
export interface Checkpointer {
  /** Resolves after each checkpoint that moved pages: [pages in the WAL, pages moved]. */
  nextCheckpoint(): Promise<[number, number]>;
  stop(): Promise<void>;
}

/** The writer's own checkpoint, when the WAL passes this many pages (16 MB at 4 KiB). */
export const BACKSTOP_PAGES = 4000;

/** Plain JavaScript, run by the worker (a separate file would need its own bundle entry). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
db.pragma('cache_size = -256');
let moved = 0;
const timer = setInterval(() => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row.checkpointed !== moved) {
      moved = row.checkpointed;
      if (moved > 0) parentPort.postMessage([row.log, row.checkpointed]);
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(
  file: string,
  options: { everyMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, everyMs: options.everyMs ?? 50 },
    // It holds one connection and a timer; a small heap is plenty.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  const waiting: Array<(counts: [number, number]) => void> = [];
  worker.on('message', (message: [number, number] | { error: string }) => {
    if (Array.isArray(message)) {
      for (const resolve of waiting.splice(0)) resolve(message);
    } else {
      options.onError?.(message.error);
    }
  });
  worker.on('error', (error) => options.onError?.(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    nextCheckpoint: () => new Promise((resolve) => waiting.push(resolve)),
    stop() {
      // Held again so the process waits for it: a server closing on SIGTERM has
      // nothing else left to keep it alive, and the writer must close last.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
