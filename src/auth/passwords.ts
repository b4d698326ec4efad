import argon2 from 'argon2';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** Argon2id at OWASP's first recommended strength: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * Why a password is refused, or null when it is acceptable. NIST 800-63B rules:
 * length and a common-password list, no composition rules.
 */
export function checkPassword(
  password: string,
  context: { username?: string; name?: string } = {},
): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const folded = password.toLowerCase();
  if (COMMON_PASSWORDS.has(folded)) {
    return 'That password is on a list of commonly used passwords. Choose another.';
  }
  if (/^(.)\1+$/.test(password)) return 'That password is one character repeated. Choose another.';
  const username = context.username?.toLowerCase();
  if (username && folded.includes(username) && username.length >= 3) {
    return 'The password must not contain your username.';
  }
  const name = context.name?.toLowerCase().replace(/\s+/g, '');
  if (name && folded === name) return 'The password must not be your name.';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as a real check, so an unknown username answers no
 * faster than a wrong password.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('hushdesk-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
