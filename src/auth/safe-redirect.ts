/**
 * Where a redirect may send someone after sign-in, a status change or two-step
 * enrolment: a path on this site, never another site (OWASP ASVS V3.7, open
 * redirect).
 *
 * The value is resolved the way a browser resolves a `Location` header, with the
 * WHATWG URL parser, and must land on the same origin. Browsers drop tabs and
 * newlines inside a URL and read `\` as `/`, so `/\t/evil.example` would become
 * `//evil.example`: any control character or whitespace is refused outright, and
 * what is returned is the parser's own serialisation (ASCII only, so it is
 * always a valid header value).
 */

/** Stands in for BASE_URL when the caller has none: only the origin matters. */
const PLACEHOLDER_ORIGIN = 'http://hushdesk.invalid';
const MAX_LENGTH = 2000;
/** Controls (C0, DEL, C1), invisible format characters and every Unicode space (U+3000, U+00A0 …). */
const CONTROL_OR_SPACE = /[\p{Cc}\p{Cf}\s]/u;
/** Pages a sign-in must never return to (a loop, or signing straight out again). */
const NEVER_RETURN_TO = ['/sign-in', '/sign-out'];

/**
 * A same-origin path (with its query) for `value`, or `/` when it is anything
 * else. Absolute URLs are accepted only on BASE_URL's origin, and only when the
 * caller passes `baseUrl`.
 */
export function safeReturnPath(value: unknown, baseUrl?: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_LENGTH) return '/';
  if (CONTROL_OR_SPACE.test(value)) return '/';
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(value);
  if (!absolute && !value.startsWith('/')) return '/';
  if (absolute && !baseUrl) return '/';
  const base = new URL(baseUrl ?? PLACEHOLDER_ORIGIN);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  if (url.origin !== base.origin || url.username || url.password) return '/';
  // `/.//evil.example` normalises to the path `//evil.example`, which a browser
  // reads as another host; an encoded `/%2F…` or `/%5C…` might be decoded on the way.
  const path = url.pathname;
  if (/^\/(?:\/|\\|%2f|%5c)/i.test(path)) return '/';
  if (NEVER_RETURN_TO.some((p) => path === p || path.startsWith(`${p}/`))) return '/';
  return `${path}${url.search}${url.hash}`;
}
