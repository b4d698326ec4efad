import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/build.js';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { decryptPhiBytes, PhiDecryptError, PhiKey } from '../../src/crypto/phi.js';
import { createDb } from '../../src/db/index.js';
import { addStaff, signIn } from '../helpers/app.js';
import { makeImage, postFiles } from '../helpers/multipart.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hushdesk-rotate-files-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const config = () => loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const readKey = () =>
  PhiKey.fromBase64(readFileSync(join(dataDir, 'hushdesk.key'), 'utf8')) as PhiKey;

async function storedFiles() {
  const db = createDb(dataDir);
  const rows = await db
    .selectFrom('ticket_attachments')
    .select(['id', 'name', 'data', 'thumbnail'])
    .orderBy('id')
    .execute();
  await db.destroy();
  return rows;
}

describe('hushdesk rotate-key and files', () => {
  it('re-encrypts every file’s name, bytes and thumbnail; they open under the new key only', async () => {
    let app = await buildApp({ config: config() });
    await addStaff(app, 'ann');
    const ann = await signIn(app, 'ann');
    await ann.get('/tickets/new');
    const text = Buffer.from('claim export 2231\n');
    const created = await postFiles(
      ann,
      '/tickets',
      { title: 'Export failed', priority: 'none', assignee: 'self', description: '' },
      [
        { name: 'export.csv', bytes: text },
        { name: 'screen.png', bytes: await makeImage() },
      ],
    );
    expect(created.statusCode).toBe(303);
    const id = Number(/\/tickets\/(\d+)/.exec(String(created.headers.location))?.[1]);
    const before = await storedFiles();
    await app.close();
    const old = readKey();

    const out = await runCli(
      ['rotate-key'],
      { DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      Readable.from(['']),
    );
    expect(out).toContain('ticket_attachments.name: 2');
    expect(out).toContain('ticket_attachments.data: 2');
    expect(out).toContain('ticket_attachments.thumbnail: 1');
    const next = readKey();
    const after = await storedFiles();
    for (const [i, row] of after.entries()) {
      const was = before[i];
      expect(Buffer.from(row.data).equals(Buffer.from(was?.data ?? []))).toBe(false);
      expect(
        decryptPhiBytes(next, row.data).equals(decryptPhiBytes(old, was?.data ?? Buffer.alloc(0))),
      ).toBe(true);
      expect(() => decryptPhiBytes(old, row.data)).toThrow(PhiDecryptError);
      if (row.thumbnail)
        expect(() => decryptPhiBytes(old, row.thumbnail as Buffer)).toThrow(PhiDecryptError);
    }

    // The restarted server serves the same file under the new key.
    app = await buildApp({ config: config() });
    const again = await signIn(app, 'ann');
    const [csv] = after;
    const served = await again.get(`/tickets/${id}/attachments/${csv?.id}`);
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(text)).toBe(true);
    expect(served.headers['content-disposition']).toContain('export.csv');
    await app.close();
  });
});
