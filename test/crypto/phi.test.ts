import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  decryptPhi,
  encryptPhi,
  PhiDecryptError,
  PhiKey,
  phiCipher,
  storedKeyId,
} from '../../src/crypto/phi.js';

const key = PhiKey.generate();

describe('encryptPhi / decryptPhi', () => {
  it('round-trips text of any kind', () => {
    for (const text of [
      '',
      'Client 4471 called about a denied claim',
      'é ✓ 日本語 🙂',
      'x'.repeat(100_000),
    ]) {
      expect(decryptPhi(key, encryptPhi(key, text))).toBe(text);
    }
  });

  it('writes the versioned format with the key id, and a fresh nonce every time', () => {
    const a = encryptPhi(key, 'same text');
    const b = encryptPhi(key, 'same text');
    expect(a).toMatch(/^v1:[0-9a-f]{16}:[A-Za-z0-9+/]+=*$/);
    expect(storedKeyId(a)).toBe(key.id);
    expect(a).not.toBe(b);
    const nonce = (s: string) => Buffer.from(s.split(':')[2] ?? '', 'base64').subarray(0, 12);
    expect(nonce(a).length).toBe(12);
    expect(nonce(a).equals(nonce(b))).toBe(false);
  });

  it('detects any change to the ciphertext, nonce, tag or header', () => {
    const stored = encryptPhi(key, 'Client 4471 called');
    const [v, id, payload = ''] = stored.split(':');
    const raw = Buffer.from(payload, 'base64');
    for (const index of [0, 11, 12, raw.length - 17, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[index] = (changed[index] ?? 0) ^ 1;
      expect(() => decryptPhi(key, `${v}:${id}:${changed.toString('base64')}`)).toThrow(
        PhiDecryptError,
      );
    }
    expect(() => decryptPhi(key, `${v}:${id}:${raw.subarray(0, 20).toString('base64')}`)).toThrow(
      PhiDecryptError,
    );
    expect(() => decryptPhi(key, 'Client 4471 called')).toThrow(/not an encrypted value/);
  });

  it('refuses a value made with another key, naming both keys', () => {
    const other = PhiKey.generate();
    const stored = encryptPhi(other, 'secret');
    expect(() => decryptPhi(key, stored)).toThrow(`encrypted with key ${other.id}`);
    // Even with the header rewritten to this key's id, the tag fails.
    const forged = stored.replace(other.id, key.id);
    expect(() => decryptPhi(key, forged)).toThrow(/authentication failed/);
  });

  it('passes null through the cipher the app decorates', () => {
    const cipher = phiCipher(key);
    expect(cipher.encrypt(null)).toBeNull();
    expect(cipher.decrypt(null)).toBeNull();
    expect(cipher.decrypt(cipher.encrypt('note'))).toBe('note');
  });
});

describe('PhiKey', () => {
  it('reads base64 of exactly 32 bytes and nothing else', () => {
    expect(PhiKey.fromBase64(key.toBase64())?.id).toBe(key.id);
    expect(PhiKey.fromBase64(`  ${key.toBase64()}\n`)?.id).toBe(key.id);
    expect(PhiKey.fromBase64(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(PhiKey.fromBase64('not a key')).toBeNull();
  });

  it('never shows its bytes when logged or serialised', () => {
    const secret = key.toBase64();
    for (const shown of [JSON.stringify({ key }), String(key), inspect(key), inspect({ key })]) {
      expect(shown).not.toContain(secret);
      expect(shown).toContain(key.id);
    }
  });
});
