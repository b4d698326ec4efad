import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/build.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { PhiKey } from '../../src/crypto/phi.js';
import { createDb } from '../../src/db/index.js';
import { addStaff } from '../helpers/app.js';
import { storeTicketWithPhi } from '../helpers/phi.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hushdesk-key-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const keyFile = () => join(dataDir, 'hushdesk.key');
const start = (env: Record<string, string> = {}) =>
  buildApp({ config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }) });

/** A database holding one ticket with an encrypted description and note. */
async function databaseWithData(env: Record<string, string> = {}) {
  const app = await start(env);
  const ann = await addStaff(app, 'ann');
  await storeTicketWithPhi(app, { staffId: ann.id, description: 'Client 4471', note: 'DOB' });
  await app.close();
}

describe('the PHI key at start-up', () => {
  it('makes a key file readable by its owner only on a fresh database, and uses it from then on', async () => {
    const first = await start();
    const id = first.phi.keyId;
    await first.close();
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    const key = PhiKey.fromBase64(readFileSync(keyFile(), 'utf8'));
    expect(key?.id).toBe(id);

    const second = await start();
    expect(second.phi.keyId).toBe(id);
    const row = await second.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'phi_key_check')
      .executeTakeFirstOrThrow();
    // The database holds a check made with the key, never the key itself.
    expect(JSON.parse(row.value).keyId).toBe(id);
    expect(row.value).not.toContain(key?.toBase64());
    await second.close();
  });

  it('refuses to start when the key file is missing on a database with data, and makes no new key', async () => {
    await databaseWithData();
    rmSync(keyFile());
    await expect(start()).rejects.toThrow(
      /the encryption key is missing\. The database in .* is encrypted with key [0-9a-f]{16}, but .*hushdesk\.key does not exist and HUSHDESK_KEY is not set/,
    );
    expect(existsSync(keyFile())).toBe(false);
  });

  it('refuses to start without its key even before any ticket exists', async () => {
    await (await start()).close();
    rmSync(keyFile());
    await expect(start()).rejects.toThrow(/the encryption key is missing/);
    expect(existsSync(keyFile())).toBe(false);
  });

  it('refuses to start with a wrong key, naming both key ids but never the key', async () => {
    await databaseWithData();
    const right = PhiKey.fromBase64(readFileSync(keyFile(), 'utf8'));
    const wrong = PhiKey.generate();
    writeFileSync(keyFile(), `${wrong.toBase64()}\n`, { mode: 0o600 });
    const failure = await start().then(
      () => null,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(
      `does not fit this database: ${keyFile()} holds key ${wrong.id}, the database was encrypted with key ${right?.id}`,
    );
    expect(failure?.message).not.toContain(wrong.toBase64());
    // The wrong key is left for the operator to replace, not overwritten.
    expect(readFileSync(keyFile(), 'utf8').trim()).toBe(wrong.toBase64());
  });

  it('judges by the data itself when the key check is gone', async () => {
    await databaseWithData();
    const db = createDb(dataDir);
    await db.deleteFrom('settings').where('key', '=', 'phi_key_check').execute();
    await db.destroy();
    const saved = readFileSync(keyFile(), 'utf8');
    rmSync(keyFile());
    await expect(start()).rejects.toThrow(/The database in .* holds encrypted data, but/);
    writeFileSync(keyFile(), `${PhiKey.generate().toBase64()}\n`, { mode: 0o600 });
    await expect(start()).rejects.toThrow(/which cannot decrypt the data in it/);
    writeFileSync(keyFile(), saved, { mode: 0o600 });
    const app = await start();
    // The right key writes the check back.
    const check = await app.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'phi_key_check')
      .executeTakeFirst();
    expect(JSON.parse(check?.value ?? '{}').keyId).toBe(app.phi.keyId);
    await app.close();
  });

  it('refuses a key file that is not a key', async () => {
    writeFileSync(keyFile(), 'hello\n', { mode: 0o600 });
    await expect(start()).rejects.toThrow(/hushdesk\.key is not a hushdesk key/);
  });

  it('takes the key from HUSHDESK_KEY, writing no key file, and checks it the same way', async () => {
    const key = PhiKey.generate();
    await databaseWithData({ HUSHDESK_KEY: key.toBase64() });
    expect(existsSync(keyFile())).toBe(false);
    const again = await start({ HUSHDESK_KEY: key.toBase64() });
    expect(again.phi.keyId).toBe(key.id);
    await again.close();
    await expect(start()).rejects.toThrow(/the encryption key is missing/);
    await expect(start({ HUSHDESK_KEY: PhiKey.generate().toBase64() })).rejects.toThrow(
      /does not fit this database: HUSHDESK_KEY holds key/,
    );
  });

  it('refuses HUSHDESK_KEY and a key file that disagree', async () => {
    await (await start()).close();
    await expect(start({ HUSHDESK_KEY: PhiKey.generate().toBase64() })).rejects.toThrow(
      /HUSHDESK_KEY and .*hushdesk\.key hold different keys/,
    );
  });
});

describe('HUSHDESK_KEY in the configuration', () => {
  it('accepts 32 bytes of base64 and refuses anything else without repeating it', () => {
    const key = PhiKey.generate();
    expect(loadConfig({ HUSHDESK_KEY: key.toBase64() }).phiKey?.id).toBe(key.id);
    expect(loadConfig({}).phiKey).toBeNull();
    const bad = 'c2hvcnQgc2VjcmV0';
    expect(() => loadConfig({ HUSHDESK_KEY: bad })).toThrowError(ConfigError);
    expect(() => loadConfig({ HUSHDESK_KEY: bad })).toThrowError(
      'HUSHDESK_KEY: accepts 32 random bytes in base64 (44 characters)',
    );
  });
});
