import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  hotp,
  matchTotp,
  otpauthUri,
  totpCode,
  totpStep,
} from '../../src/auth/totp.js';

const RFC_SECRET = Buffer.from('12345678901234567890');

describe('HOTP and TOTP against the RFC test vectors', () => {
  it('RFC 4226 appendix D', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, counter) => hotp(RFC_SECRET, counter))).toEqual(expected);
  });

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('RFC 6238 appendix B (SHA-1) at %i s', (seconds, code) => {
    expect(hotp(RFC_SECRET, totpStep(new Date(seconds * 1000)), 8)).toBe(code);
  });

  it('base32 round-trips and matches RFC 4648', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW 6YTB OI======').toString()).toBe('foobar');
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
  });
});

describe('matchTotp', () => {
  const secret = base32Encode(RFC_SECRET);
  const now = new Date('2026-11-27T15:00:10Z');
  const step = totpStep(now);

  it('accepts the step before, now and after, and nothing further', () => {
    expect(matchTotp(secret, totpCode(secret, step), now, null)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, step - 1), now, null)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, step + 1), now, null)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, step - 2), now, null)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, step + 2), now, null)).toBeNull();
  });

  it('refuses a code for a step at or before the last one used', () => {
    expect(matchTotp(secret, totpCode(secret, step), now, step)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, step - 1), now, step - 1)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, step + 1), now, step)).toBe(step + 1);
  });

  it('takes spaces but nothing that is not six digits', () => {
    const code = totpCode(secret, step);
    expect(matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now, null)).toBe(step);
    expect(matchTotp(secret, `${code}0`, now, null)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now, null)).toBeNull();
  });
});

describe('otpauthUri and recovery codes', () => {
  it('builds the URI authenticator apps read', () => {
    expect(otpauthUri({ secret: 'ABC', issuer: 'hushdesk help.agency.org', account: 'ann' })).toBe(
      'otpauth://totp/hushdesk%20help.agency.org%3Aann?secret=ABC&issuer=hushdesk+help.agency.org&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('makes ten distinct readable codes whose hash ignores case, spaces and dashes', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    const code = codes[0] ?? '';
    expect(hashRecoveryCode(` ${code.toUpperCase().replace('-', ' ')} `)).toBe(
      hashRecoveryCode(code),
    );
    expect(hashRecoveryCode(code)).not.toContain(code.replace('-', ''));
  });
});
