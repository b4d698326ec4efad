import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * Encryption of PHI at rest (HIPAA 164.312(a)(2)(iv)): AES-256-GCM with a fresh
 * 96-bit nonce for every value, as NIST SP 800-38D recommends for random nonces.
 *
 * A stored value reads `v1:<key id>:<base64 of nonce | ciphertext | tag>`. The
 * `v1:<key id>:` prefix is bound in as additional data, so it cannot be edited
 * without the tag failing, and the key id says which key a value needs before
 * anything is decrypted.
 */
const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
const STORED = /^v1:([0-9a-f]{16}):([A-Za-z0-9+/]+={0,2})$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/**
 * The 256-bit key. Its bytes stay private and it prints as its id only, so a
 * stray `console.log(config)` or a serialised error cannot leak it.
 */
const keyBytes = new WeakMap<PhiKey, Buffer>();

export class PhiKey {
  readonly id: string;

  constructor(bytes: Buffer) {
    if (bytes.length !== KEY_BYTES) throw new Error(`a PHI key is ${KEY_BYTES} bytes`);
    const copy = Buffer.from(bytes);
    keyBytes.set(this, copy);
    // A one-way tag of the key: tells keys apart without revealing anything of them.
    this.id = createHmac('sha256', copy).update('hushdesk key id').digest('hex').slice(0, 16);
  }

  static generate(): PhiKey {
    return new PhiKey(randomBytes(KEY_BYTES));
  }

  /** Reads the base64 text of HUSHDESK_KEY or hushdesk.key; null when it is not 32 bytes of base64. */
  static fromBase64(text: string): PhiKey | null {
    const trimmed = text.trim();
    if (!BASE64_KEY.test(trimmed)) return null;
    const bytes = Buffer.from(trimmed, 'base64');
    return bytes.length === KEY_BYTES ? new PhiKey(bytes) : null;
  }

  /** The key as the key file holds it. Only key.ts writes this anywhere. */
  toBase64(): string {
    return bytesOf(this).toString('base64');
  }

  toJSON(): string {
    return `[PhiKey ${this.id}]`;
  }

  toString(): string {
    return `[PhiKey ${this.id}]`;
  }

  [inspect.custom](): string {
    return `[PhiKey ${this.id}]`;
  }
}

function bytesOf(key: PhiKey): Buffer {
  const bytes = keyBytes.get(key);
  if (!bytes) throw new Error('not a PhiKey');
  return bytes;
}

/** A stored value that is not ours, was made with another key, or was changed. */
export class PhiDecryptError extends Error {
  constructor(
    message: string,
    /** The key id the value names, when it names one. */
    readonly keyId: string | null,
  ) {
    super(message);
    this.name = 'PhiDecryptError';
  }
}

export function encryptPhi(key: PhiKey, plaintext: string): string {
  const header = `${VERSION}:${key.id}:`;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', bytesOf(key), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return header + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/** The key id a stored value was encrypted with, or null when it is not an encrypted value. */
export function storedKeyId(stored: string): string | null {
  return STORED.exec(stored)?.[1] ?? null;
}

export function decryptPhi(key: PhiKey, stored: string): string {
  const match = STORED.exec(stored);
  if (!match) throw new PhiDecryptError('not an encrypted value', null);
  const [, keyId = '', payload = ''] = match;
  if (keyId !== key.id) {
    throw new PhiDecryptError(`encrypted with key ${keyId}, not with key ${key.id}`, keyId);
  }
  const raw = Buffer.from(payload, 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new PhiDecryptError('too short', keyId);
  const nonce = raw.subarray(0, NONCE_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', bytesOf(key), nonce, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(`${VERSION}:${keyId}:`));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new PhiDecryptError('the value was changed or damaged (authentication failed)', keyId);
  }
}

/**
 * The same AES-256-GCM for bytes (attachments): `v1:<key id>:` in ASCII, then
 * nonce | ciphertext | tag, with the prefix bound in as additional data. No
 * base64, so a 10 MB file costs 10 MB and 48 bytes in the store.
 */
const BYTES_HEADER = /^v1:([0-9a-f]{16}):/;
const BYTES_HEADER_LENGTH = `${VERSION}:0000000000000000:`.length;

export function encryptPhiBytes(key: PhiKey, plain: Buffer): Buffer {
  const header = Buffer.from(`${VERSION}:${key.id}:`);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', bytesOf(key), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

/** The key id stored bytes were encrypted with, or null when they are not ours. */
export function storedBytesKeyId(stored: Uint8Array): string | null {
  const head = Buffer.from(stored.subarray(0, BYTES_HEADER_LENGTH)).toString('latin1');
  return BYTES_HEADER.exec(head)?.[1] ?? null;
}

export function decryptPhiBytes(key: PhiKey, stored: Uint8Array): Buffer {
  const keyId = storedBytesKeyId(stored);
  if (!keyId) throw new PhiDecryptError('not encrypted bytes', null);
  if (keyId !== key.id) {
    throw new PhiDecryptError(`encrypted with key ${keyId}, not with key ${key.id}`, keyId);
  }
  const raw = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (raw.length < BYTES_HEADER_LENGTH + NONCE_BYTES + TAG_BYTES) {
    throw new PhiDecryptError('too short', keyId);
  }
  const nonce = raw.subarray(BYTES_HEADER_LENGTH, BYTES_HEADER_LENGTH + NONCE_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(BYTES_HEADER_LENGTH + NONCE_BYTES, raw.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', bytesOf(key), nonce, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(raw.subarray(0, BYTES_HEADER_LENGTH));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new PhiDecryptError('the value was changed or damaged (authentication failed)', keyId);
  }
}

/**
 * What the app hands to repositories that store PHI (`app.phi`). Null passes
 * through, so an optional column needs no special case.
 */
export interface PhiCipher {
  readonly keyId: string;
  encrypt(plaintext: string): string;
  encrypt(plaintext: string | null): string | null;
  decrypt(stored: string): string;
  decrypt(stored: string | null): string | null;
  encryptBytes(plain: Buffer): Buffer;
  decryptBytes(stored: Uint8Array): Buffer;
}

export function phiCipher(key: PhiKey): PhiCipher {
  function encrypt(plaintext: string): string;
  function encrypt(plaintext: string | null): string | null;
  function encrypt(plaintext: string | null): string | null {
    return plaintext === null ? null : encryptPhi(key, plaintext);
  }
  function decrypt(stored: string): string;
  function decrypt(stored: string | null): string | null;
  function decrypt(stored: string | null): string | null {
    return stored === null ? null : decryptPhi(key, stored);
  }
  return {
    keyId: key.id,
    encrypt,
    decrypt,
    encryptBytes: (plain) => encryptPhiBytes(key, plain),
    decryptBytes: (stored) => decryptPhiBytes(key, stored),
  };
}
