import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../src/db/backup.js';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { markerEncodings } from '../helpers/marker.js';
import { postFiles } from '../helpers/multipart.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { testStore } from '../helpers/store.js';

/** The marker as it could sit in a file, also percent-encoded (a header's filename*). */
const needlesOf = (marker: string): Buffer[] => [
  ...Object.values(markerEncodings(marker)).flat(),
  Buffer.from(encodeURIComponent(marker)),
];

function filesUnder(dir: string, since = 0): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (stat.isDirectory()) return filesUnder(path, since);
      return stat.isFile() && stat.mtimeMs >= since && stat.size < 200_000_000 ? [path] : [];
    } catch {
      return [];
    }
  });
}

/** Every file (under `dir`, changed since `since`) that holds the marker in any encoding. */
function filesHolding(dir: string, marker: string, since = 0): string[] {
  const needles = needlesOf(marker);
  return filesUnder(dir, since).filter((file) => {
    try {
      const bytes = readFileSync(file);
      return needles.some((needle) => bytes.includes(needle));
    } catch {
      return false;
    }
  });
}

let smtp: TestSmtpServer;
let t: TestApp;
const started = Date.now();
const marker = `Quokka-${randomBytes(8).toString('hex')}-MRN`;
const fileName = `Smith_${marker}_DOB.txt`;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  t = await createTestApp({ SMTP_URL: smtp.url, SMTP_FROM: 'Help desk <help@agency.org>' });
  await addStaff(t.app, 'ann', { name: 'Ann Lee' });
  const bo = await addStaff(t.app, 'bo', { name: 'Bo Chen' });
  const ann = await signIn(t.app, 'ann');
  const bob = await signIn(t.app, 'bo');
  // Ann files a ticket for Bo with the file; Bo answers with a note carrying another.
  await ann.get('/tickets/new');
  const created = await postFiles(
    ann,
    '/tickets',
    {
      title: 'Scheduling screen error',
      due_date: '',
      priority: 'none',
      description: 'See the attached export',
      assignee: String(bo.id),
    },
    [{ name: fileName, bytes: Buffer.from(`client ${marker} seen on 11/02\n`.repeat(50)) }],
  );
  expect(created.statusCode).toBe(303);
  const id = Number(/\/tickets\/(\d+)/.exec(String(created.headers.location))?.[1]);
  await bob.get(`/tickets/${id}`);
  const noted = await postFiles(bob, `/tickets/${id}/notes`, { note: 'Here is what I saw' }, [
    { name: `reply ${marker}.txt`, bytes: Buffer.from(`again ${marker}`) },
  ]);
  expect(noted.statusCode).toBe(303);
  // The person who may see the ticket gets the file back whole.
  const [file] = await t.app.db.selectFrom('ticket_attachments').select('id').execute();
  const download = await bob.get(`/tickets/${id}/attachments/${file?.id}`);
  expect(download.body).toContain(marker);
  expect(decodeURIComponent(String(download.headers['content-disposition']))).toContain(fileName);
  await t.app.outbox.runOnce();
}, 60_000);

afterAll(async () => {
  await t.close();
  await smtp.stop();
});

describe('the marker test for files: a file’s bytes and name are nowhere in clear', () => {
  it('sends mail about the ticket and the note, and none of it holds the file or its name', () => {
    expect(smtp.received.length).toBeGreaterThanOrEqual(2);
    for (const mail of smtp.received) {
      const raw = Buffer.from(mail.raw);
      for (const needle of needlesOf(marker)) expect(raw.includes(needle)).toBe(false);
      expect(mail.raw).not.toContain('Smith_');
      expect(mail.raw).not.toMatch(/Content-Disposition: attachment/i);
    }
  });

  // SQLite only: the store is a file in DATA_DIR (PostgreSQL's files are the server's).
  it.skipIf(testStore === 'postgres')(
    'holds the marker in no file of DATA_DIR: database, WAL and a backup, before and after a checkpoint',
    async () => {
      expect(filesHolding(t.dataDir, marker)).toEqual([]);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.app.db);
      mkdirSync(join(t.dataDir, 'backups'), { recursive: true });
      await backupDatabase(t.dataDir, join(t.dataDir, 'backups', 'manual.db'));
      const files = filesUnder(t.dataDir).map((f) => f.slice(t.dataDir.length + 1));
      expect(files).toEqual(expect.arrayContaining(['hushdesk.db', 'backups/manual.db']));
      expect(filesHolding(t.dataDir, marker)).toEqual([]);
    },
  );

  it('wrote no file holding the marker anywhere in the temporary folder while the upload ran', () => {
    // Uploads are read into memory, never spooled: no temporary file holds a byte of one.
    expect(filesHolding(tmpdir(), marker, started - 1000)).toEqual([]);
  });

  it('finds the marker when it is there in clear (the search can see)', () => {
    const control = join(t.dataDir, 'control');
    mkdirSync(control);
    writeFileSync(join(control, 'a'), Buffer.from(`xx${marker}`).toString('base64'));
    writeFileSync(join(control, 'b'), Buffer.from(marker, 'utf16le'));
    expect(filesHolding(t.dataDir, marker).map((f) => f.slice(control.length + 1))).toEqual([
      'a',
      'b',
    ]);
    rmSync(control, { recursive: true });
  });

  it('keeps the marker out of the audit log and the outbox too', async () => {
    const audit = await t.app.db.selectFrom('audit_log').select('detail').execute();
    for (const row of audit) expect(row.detail ?? '').not.toContain(marker);
    const outbox = await sql<{ row: string }>`select * from outbox`.execute(t.app.db);
    expect(JSON.stringify(outbox.rows)).not.toContain(marker);
  });
});
