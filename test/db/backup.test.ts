import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/build.js';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { PhiKey } from '../../src/crypto/phi.js';
import { writePidFile } from '../../src/server-lock.js';
import { addStaff } from '../helpers/app.js';
import { storeTicketWithPhi } from '../helpers/phi.js';

let dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hushdesk-backup-'));
  dirs.push(dir);
  return dir;
};
let dataDir: string;
beforeEach(() => {
  dataDir = tempDir();
});
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

const run = (argv: string[], dir = dataDir) =>
  runCli(argv, { DATA_DIR: dir, LOG_LEVEL: 'silent' }, Readable.from(['']));
const start = (dir = dataDir) =>
  buildApp({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }) });

async function fill(): Promise<number> {
  const app = await start();
  const ann = await addStaff(app, 'ann');
  for (let i = 0; i < 5; i++) {
    await storeTicketWithPhi(app, { staffId: ann.id, description: `d${i}`, note: `n${i}` });
  }
  await app.close();
  return ann.id;
}

function integrity(file: string): string {
  const db = new SQLite(file, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

describe('hushdesk backup', () => {
  it('writes a checked, self-contained, owner-only copy and reports size, key and row counts', async () => {
    await fill();
    const file = join(tempDir(), 'nightly.db');
    const out = await run(['backup', file]);
    expect(out).toMatch(/^Backed up\.\n.*nightly\.db: \d+\.\d KB, integrity check ok\./);
    expect(out).toMatch(/PHI in it needs encryption key [0-9a-f]{16}, which is not in the file\./);
    expect(out).toMatch(/\n {2}tickets +5\n/);
    expect(out).toMatch(/\n {2}ticket_notes +5\n/);
    expect(out).toMatch(/\n {2}staff +1\n/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['nightly.db']);
    expect(integrity(file)).toBe('ok');
    const copy = new SQLite(file, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
    await expect(run(['backup', file])).rejects.toThrow(/already exists; choose a new file name/);
  });

  it('takes a consistent copy while another process keeps saving tickets', async () => {
    const staffId = await fill();
    const writer = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'fixtures', 'ticket-writer.mjs'),
        join(dataDir, 'hushdesk.db'),
        String(staffId),
        '200000',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acked: number[] = [];
    let buffered = '';
    writer.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) acked.push(Number(line.slice(4)));
    });
    const exited = new Promise<void>((resolve) => writer.on('exit', () => resolve()));
    try {
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 10));
      const ackedBefore = [...acked];
      const file = join(tempDir(), 'busy.db');
      await run(['backup', file]);

      const copy = new SQLite(file, { readonly: true });
      const ids = copy.prepare('select id from tickets order by id').pluck().all() as number[];
      copy.close();
      // One snapshot: no gaps, every ticket saved before the backup began is there.
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
      expect(ids.length).toBeGreaterThanOrEqual(5 + ackedBefore.length);

      // It restores to a database that passes integrity_check and starts.
      writer.kill('SIGTERM');
      await exited;
      const elsewhere = tempDir();
      copyFileSync(join(dataDir, 'hushdesk.key'), join(elsewhere, 'hushdesk.key'));
      const out = await run(['restore', file], elsewhere);
      expect(out).toMatch(/^Restored\./);
      expect(integrity(join(elsewhere, 'hushdesk.db'))).toBe('ok');
      const app = await start(elsewhere);
      const count = await app.db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(ids.length);
      for (const id of ackedBefore) expect(ids).toContain(id);
      await app.close();
    } finally {
      writer.kill('SIGTERM');
      await exited;
    }
  });
});

describe('hushdesk restore', () => {
  it('puts a backup in place, keeping the replaced database and its WAL beside it', async () => {
    await fill();
    const file = join(tempDir(), 'before.db');
    await run(['backup', file]);
    // Changes after the backup, left in the WAL by an unclean stop.
    const app = await start();
    const ann = await app.db.selectFrom('staff').select('id').executeTakeFirstOrThrow();
    await storeTicketWithPhi(app, { staffId: ann.id, description: 'after the backup' });
    await app.close();
    writeFileSync(join(dataDir, 'hushdesk.db-shm'), 'stale');

    const out = await run(['restore', file]);
    expect(out).toMatch(/\n {2}tickets +5\n/);
    const kept = /kept as (\S+);/.exec(out)?.[1] ?? '';
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(join(dataDir, 'hushdesk.db-shm'))).toBe(false);
    expect(existsSync(join(dataDir, 'hushdesk.db-wal'))).toBe(false);

    const restored = await start();
    const tickets = await restored.db.selectFrom('tickets').select('description').execute();
    expect(tickets.map((t) => restored.phi.decrypt(t.description))).toEqual([
      'd0',
      'd1',
      'd2',
      'd3',
      'd4',
    ]);
    await restored.close();
  });

  it('refuses while the server is running', async () => {
    await fill();
    const file = join(tempDir(), 'b.db');
    await run(['backup', file]);
    writePidFile(dataDir, process.pid);
    await expect(run(['restore', file])).rejects.toThrow(/hushdesk is running on this DATA_DIR/);
  });

  it('refuses a backup whose key is not here, naming the key it needs', async () => {
    await fill();
    const file = join(tempDir(), 'b.db');
    const out = await run(['backup', file]);
    const keyId = /encryption key ([0-9a-f]{16})/.exec(out)?.[1];
    const fresh = tempDir();
    await expect(run(['restore', file], fresh)).rejects.toThrow(
      `This backup's PHI is encrypted with key ${keyId}. Put that key's file at ${join(fresh, 'hushdesk.key')}`,
    );
    writeFileSync(join(fresh, 'hushdesk.key'), PhiKey.generate().toBase64(), { mode: 0o600 });
    await expect(run(['restore', file], fresh)).rejects.toThrow(
      `This backup needs encryption key ${keyId}, but`,
    );
    expect(existsSync(join(fresh, 'hushdesk.db'))).toBe(false);
  });

  it('refuses a file that is not a sound hushdesk database', async () => {
    await fill();
    const junk = join(tempDir(), 'junk.db');
    writeFileSync(junk, 'this is not a database at all, just some text '.repeat(200));
    await expect(run(['restore', junk])).rejects.toThrow(
      /junk\.db (is not a SQLite database|cannot be opened)/,
    );

    const damaged = join(tempDir(), 'damaged.db');
    await run(['backup', damaged]);
    const probe = new SQLite(damaged, { readonly: true });
    const root = Number(
      probe.prepare("select rootpage from sqlite_schema where name = 'tickets'").pluck().get(),
    );
    const pageSize = Number(probe.pragma('page_size', { simple: true }));
    probe.close();
    const bytes = readFileSync(damaged);
    // Scribble over the tickets table's root page header.
    bytes.fill(0x5a, (root - 1) * pageSize, (root - 1) * pageSize + 12);
    writeFileSync(damaged, bytes);
    await expect(run(['restore', damaged])).rejects.toThrow(
      /damaged\.db (failed its integrity check|is not a SQLite database|cannot be opened)/,
    );
  });
});
