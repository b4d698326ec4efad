import { safeReturnPath } from '../decorators/auth.js';

/**
 * Where the Help button was pressed: a hushdesk page (host null) or a page of
 * one of the agency's other web applications (its host and a cleaned path).
 */
export interface OpenedFrom {
  host: string | null;
  path: string;
}

/**
 * A path segment kept as it is: words of letters joined by - _ . ~ (each word
 * at most 20 letters, 40 characters in all). Anything else (digits, UUIDs, tokens, percent-encoded
 * or other characters) could identify a client or a visit and becomes `:id`.
 * The Help button snippet (snippet/help-button.js) and the bookmarklet clean
 * with this same expression before anything leaves the other application's
 * page; a test keeps the three in step.
 */
export const KEPT_SEGMENT = /^(?=.{1,40}$)[A-Za-z]{1,20}(?:[-_.~][A-Za-z]{1,20})*$/;
export const ID_SEGMENT = ':id';
/** Deeper paths are cut here: the first screens name the place well enough. */
export const MAX_SEGMENTS = 12;
/** Longer input is refused outright rather than cleaned. */
export const MAX_PATH_INPUT = 2048;

/**
 * An application's path with its query string and fragment dropped and every
 * segment that is not plainly a word replaced by `:id`; `null` when the input
 * is not a path at all (or is overlong).
 */
export function cleanPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_PATH_INPUT) return null;
  const path = value.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) return null;
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .slice(0, MAX_SEGMENTS)
    .map((segment) => (KEPT_SEGMENT.test(segment) ? segment : ID_SEGMENT));
  return `/${segments.join('/')}`;
}

/**
 * A host as `location.host` gives it: a DNS name or IPv4 address, or a
 * bracketed IPv6 address, with an optional port; lower-cased. `null` for
 * anything else.
 */
export function cleanHost(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 260) return null;
  const host = value.trim().toLowerCase();
  const match =
    /^(\[[0-9a-f:.]{2,45}\]|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(\d{1,5}))?$/.exec(
      host,
    );
  if (!match) return null;
  const name = match[1] ?? '';
  const port = match[2];
  if (!name.startsWith('[') && name.length > 253) return null;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0'))) {
    return null;
  }
  return host;
}

/**
 * Reads "Opened from" as the ticket window's form sends it back: a hushdesk
 * page's path (its query string dropped), or another application's host and
 * path, cleaned again here whatever the browser sent.
 */
export function readOpenedFrom(path: unknown, host: unknown): OpenedFrom {
  // A host that does not pass is dropped, but its path is still cleaned.
  if (host !== undefined && host !== '') {
    return { host: cleanHost(host), path: cleanPath(path) ?? '/' };
  }
  const local = safeReturnPath(path).split('?')[0] ?? '/';
  return { host: null, path: local.slice(0, 200) };
}

/** hushdesk's own pages by the names their headings and menu give them. */
const PAGE_NAMES: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^\/$/, () => 'My tickets'],
  [/^\/tickets$/, () => 'All tickets'],
  [/^\/tickets\/new$/, () => 'New ticket'],
  [/^\/tickets\/(\d+)(?:\/.*)?$/, (m) => `Ticket #${m[1]}`],
  [/^\/staff(?:\/.*)?$/, () => 'Staff'],
  [/^\/roles(?:\/.*)?$/, () => 'Roles'],
  [/^\/outbox(?:\/.*)?$/, () => 'Outbox'],
  [/^\/settings(?:\/.*)?$/, () => 'Settings'],
  [/^\/reports$/, () => 'Reports'],
  [/^\/audit$/, () => 'Audit log'],
  [/^\/profile(?:\/.*)?$/, () => 'Profile'],
];

/**
 * "Opened from" in words: a hushdesk page by its name ("My tickets", not "/"),
 * another application by the administrator's name for it and its host, with
 * the cleaned path that says where in it.
 */
export function describeOpenedFrom(from: {
  host: string | null;
  name: string | null;
  path: string | null;
}): string {
  if (from.host)
    return `${from.name ? `${from.name} (${from.host})` : from.host} ${from.path ?? ''}`;
  if (!from.path) return 'Not recorded';
  for (const [pattern, name] of PAGE_NAMES) {
    const match = pattern.exec(from.path);
    if (match) return name(match);
  }
  return from.path;
}
