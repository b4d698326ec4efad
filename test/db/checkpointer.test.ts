import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startNodeServer } from '../../bench/processes.js';
import { startCommand } from '../../bench/start-command.js';
import { BACKSTOP_PAGES } from '../../src/db/checkpointer.js';
import { createDb, type Db, databaseFile } from '../../src/db/index.js';
import { createTestApp } from '../helpers/app.js';
import { buildServer } from '../helpers/processes.js';
import { testStore } from '../helpers/store.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'hushdesk-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function autocheckpoint(db: Db): Promise<number> {
  const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
  return Number(rows[0]?.wal_autocheckpoint);
}

/** About 1.6 MB of rows in 40 commits: 400 pages, well under any automatic checkpoint. */
async function writeSome(db: Db): Promise<void> {
  await sql`create table filler (id integer primary key, body text not null)`.execute(db);
  for (let commit = 0; commit < 40; commit++) {
    await db.transaction().execute(async (tx) => {
      for (let row = 0; row < 10; row++) {
        await sql`insert into filler (body) values (${'x'.repeat(4000)})`.execute(tx);
      }
    });
  }
}

describe('checkpoints in the background (SQLite)', () => {
  it('a worker moves committed pages into the database file; the writer keeps only a backstop', async () => {
    const dataDir = mkdtempSync(join(dir, 'on-'));
    const db = createDb(dataDir, null, { checkpointInBackground: true });
    try {
      expect(await autocheckpoint(db)).toBe(BACKSTOP_PAGES);
      await writeSome(db);
      // 400 pages is below the writer's threshold, so only the worker can have
      // copied them out of the WAL into the database file.
      const file = databaseFile(dataDir);
      const deadline = Date.now() + 10_000;
      while (statSync(file).size < 1_500_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statSync(file).size).toBeGreaterThan(1_500_000);
      const { rows } = await sql<{ n: number }>`select count(*) as n from filler`.execute(db);
      expect(Number(rows[0]?.n)).toBe(400);
    } finally {
      await db.destroy();
    }
    // The worker's connection closed first, so the writer's close was the last
    // and tidied the WAL away, as a store without the worker does.
    expect(existsSync(`${databaseFile(dataDir)}-wal`)).toBe(false);
  });

  it('without it (tests, command-line tools) the writer checkpoints as SQLite does by default', async () => {
    const dataDir = mkdtempSync(join(dir, 'off-'));
    const db = createDb(dataDir);
    try {
      expect(await autocheckpoint(db)).toBe(1000);
      await writeSome(db);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Nothing has moved the 400 pages out of the WAL yet.
      expect(statSync(databaseFile(dataDir)).size).toBeLessThan(100_000);
    } finally {
      await db.destroy();
    }
  });

  it.skipIf(testStore === 'postgres')('the server opens its SQLite store with them', async () => {
    const test = await createTestApp();
    try {
      expect(await autocheckpoint(test.app.db)).toBe(BACKSTOP_PAGES);
    } finally {
      await test.close();
    }
  });

  it.skipIf(testStore === 'postgres')(
    'a server stopped by SIGTERM closes its store after the worker, leaving no WAL behind',
    async () => {
      buildServer();
      const dataDir = mkdtempSync(join(dir, 'server-'));
      const port = await freePort();
      const start = startCommand(ROOT);
      const server = await startNodeServer({
        name: 'checkpoints',
        script: start.script,
        nodeArgs: start.nodeArgs,
        port,
        readyPath: '/healthz',
        quiet: true,
        env: { DATA_DIR: dataDir, BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
      });
      await server.stop();
      // Were the worker left to the last, the process could end with the writer
      // still open: its WAL would stay behind (safe, but not a clean close).
      expect(existsSync(databaseFile(dataDir))).toBe(true);
      expect(existsSync(`${databaseFile(dataDir)}-wal`)).toBe(false);
    },
    60_000,
  );
});
