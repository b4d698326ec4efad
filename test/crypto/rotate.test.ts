import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEnrolment } from '../../src/auth/two-factor.js';
import { buildApp } from '../../src/build.js';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { decryptPhi, PhiDecryptError, PhiKey } from '../../src/crypto/phi.js';
import { createDb } from '../../src/db/index.js';
import { saveSsoProvider } from '../../src/repositories/sso.js';
import { writePidFile } from '../../src/server-lock.js';
import { addStaff } from '../helpers/app.js';
import { storeTicketWithPhi } from '../helpers/phi.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hushdesk-rotate-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  ...extra,
});
const start = (extra: Record<string, string> = {}) => buildApp({ config: loadConfig(env(extra)) });
const run = (argv: string[], extra: Record<string, string> = {}) =>
  runCli(argv, env(extra), Readable.from(['']));
const readKey = (name = 'hushdesk.key') =>
  PhiKey.fromBase64(readFileSync(join(dataDir, name), 'utf8')) as PhiKey;

async function fill(extra: Record<string, string> = {}) {
  const app = await start(extra);
  const ann = await addStaff(app, 'ann');
  // A TOTP secret is encrypted with the same key and must move too.
  await startEnrolment(app.db, app.phi, ann.id, app.now());
  // So is the single sign-on client secret.
  await saveSsoProvider(
    app.db,
    {
      name: 'Okta',
      issuer: 'https://agency.okta.com',
      clientId: 'hushdesk',
      clientSecret: app.phi.encrypt('sso client secret'),
      enabled: false,
      required: false,
      breakGlassStaffId: null,
      createDomain: null,
      createRoleId: null,
    },
    ann.id,
    app.now(),
  );
  for (let i = 0; i < 12; i++) {
    await storeTicketWithPhi(app, {
      staffId: ann.id,
      description: `description ${i}`,
      note: `note ${i}`,
    });
  }
  await app.close();
}

async function storedValues(): Promise<string[]> {
  const db = createDb(dataDir);
  const tickets = await db.selectFrom('tickets').select('description').orderBy('id').execute();
  const notes = await db.selectFrom('ticket_notes').select('body').orderBy('id').execute();
  const secrets = await db.selectFrom('staff_two_factor').select('secret').execute();
  const sso = await db.selectFrom('sso_provider').select('client_secret').execute();
  await db.destroy();
  return [
    ...tickets.map((r) => r.description ?? ''),
    ...notes.map((r) => r.body),
    ...secrets.map((r) => r.secret),
    ...sso.map((r) => r.client_secret ?? ''),
  ];
}

describe('hushdesk rotate-key', () => {
  it('re-encrypts every description and note under a new key that the old key cannot read', async () => {
    await fill();
    const old = readKey();
    const before = await storedValues();

    const out = await run(['rotate-key']);
    expect(out).toMatch(
      /tickets\.description: 12\n {2}ticket_notes\.body: 12\n {2}staff_two_factor\.secret: 1\n {2}sso_provider\.client_secret: 1\n/,
    );
    const next = readKey();
    expect(next.id).not.toBe(old.id);
    expect(out).toContain(`under key ${next.id} (was ${old.id})`);
    expect(existsSync(join(dataDir, 'hushdesk.key.new'))).toBe(false);
    expect(existsSync(join(dataDir, 'hushdesk.key.old'))).toBe(false);

    const after = await storedValues();
    expect(after).toHaveLength(26);
    for (const [i, stored] of after.entries()) {
      expect(stored).not.toBe(before[i]);
      expect(decryptPhi(next, stored)).toBe(decryptPhi(old, before[i] ?? ''));
      expect(() => decryptPhi(old, stored)).toThrow(PhiDecryptError);
    }

    const app = await start();
    expect(app.phi.keyId).toBe(next.id);
    const audit = await app.db
      .selectFrom('audit_log')
      .select(['actor', 'detail'])
      .where('action', '=', 'key-rotated')
      .executeTakeFirstOrThrow();
    expect(audit.detail).toBe(`26 encrypted values moved from key ${old.id} to key ${next.id}`);
    await app.close();
  });

  it('changes nothing when one value cannot be decrypted', async () => {
    await fill();
    const old = readKey();
    const db = createDb(dataDir);
    await db
      .updateTable('ticket_notes')
      .set({ body: 'v1:0000000000000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
      .where('id', '=', 7)
      .execute();
    await db.destroy();
    const before = await storedValues();

    await expect(run(['rotate-key'])).rejects.toThrow(
      'Nothing was changed: ticket_notes.body of row id 7: encrypted with key 0000000000000000',
    );
    expect(await storedValues()).toEqual(before);
    expect(readKey().id).toBe(old.id);
    expect(existsSync(join(dataDir, 'hushdesk.key.new'))).toBe(false);
    const app = await start();
    expect(app.phi.keyId).toBe(old.id);
    await app.close();
  });

  it('refuses while the server is running on the same data', async () => {
    await fill();
    writePidFile(dataDir, process.pid);
    await expect(run(['rotate-key'])).rejects.toThrow(
      `hushdesk is running on this DATA_DIR (process ${process.pid}). Stop it first.`,
    );
  });

  it('says which left-over key fits when a rotation was cut short after the database changed', async () => {
    await fill();
    const old = readKey();
    await run(['rotate-key']);
    const next = readKey();
    // As if the process died before swapping the key files.
    writeFileSync(join(dataDir, 'hushdesk.key.new'), `${next.toBase64()}\n`, { mode: 0o600 });
    writeFileSync(join(dataDir, 'hushdesk.key'), `${old.toBase64()}\n`, { mode: 0o600 });
    await expect(start()).rejects.toThrow(
      /hushdesk\.key\.new fits it: a key rotation was interrupted\. Move hushdesk\.key\.new to hushdesk\.key/,
    );
  });

  it('with HUSHDESK_KEY, leaves the new key in hushdesk.key.new and says to move it', async () => {
    const old = PhiKey.generate();
    await fill({ HUSHDESK_KEY: old.toBase64() });
    const out = await run(['rotate-key'], { HUSHDESK_KEY: old.toBase64() });
    const next = readKey('hushdesk.key.new');
    expect(out).toMatch(/put the contents of .*hushdesk\.key\.new into HUSHDESK_KEY/);
    await expect(start({ HUSHDESK_KEY: old.toBase64() })).rejects.toThrow(
      /hushdesk\.key\.new fits/,
    );
    rmSync(join(dataDir, 'hushdesk.key.new'));
    const app = await start({ HUSHDESK_KEY: next.toBase64() });
    expect(app.phi.keyId).toBe(next.id);
    await app.close();
  });
});
