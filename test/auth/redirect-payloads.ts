import { expect } from 'vitest';

/**
 * Values an attacker puts in `next` or `return` to send someone to another site
 * after a redirect; every one must come back as a path on this site.
 */
export const OFF_SITE_PAYLOADS: readonly string[] = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  ' //evil.example',
  '/\u0000/evil.example',
  '/\u007f/evil.example',
  '/\u3000/evil.example',
  '/\u00a0/evil.example',
  '/\ufeff/evil.example',
  '//evil.example',
  '///evil.example',
  '//evil.example/%2F..',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/.//evil.example',
  '/%2F/evil.example',
  '/%5Cevil.example',
  'https://evil.example/',
  'http://evil.example',
  'https:evil.example',
  'https:/evil.example',
  'http://localhost:3000@evil.example/',
  'http://user:pass@localhost:3000/',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example',
  '/sign-in',
  '/sign-out',
];

/** The same payloads as a raw query value: tabs and the like arrive percent-encoded. */
export const ENCODED_PAYLOADS: readonly string[] = [
  ...OFF_SITE_PAYLOADS.map((p) => encodeURIComponent(p)),
  '/%09/evil.example',
  '%2F%09%2Fevil.example',
  '/%0d%0a/evil.example',
  '%2F%2Fevil.example',
  '/%E3%80%80/evil.example',
];

/** A Location header that a browser follows to this site only. */
export function expectStaysOnSite(location: unknown, origin = 'http://localhost:3000'): void {
  expect(typeof location).toBe('string');
  const value = location as string;
  // Browsers drop tabs and newlines and read a backslash as a slash: none may appear.
  expect(value).not.toMatch(/[\p{Cc}\s\\\u0080-\uffff]/u);
  expect(value.startsWith('/')).toBe(true);
  expect(value.startsWith('//')).toBe(false);
  expect(new URL(value, origin).origin).toBe(origin);
}
