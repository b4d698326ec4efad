/**
 * Which issuer URLs hushdesk accepts. Sign-in through a provider over plain
 * http would let anyone on the path forge identities, so only https is taken,
 * except a provider on this very machine when SSO_ALLOW_HTTP_LOOPBACK is on
 * (tests and trials); never anything else, and never silently.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type IssuerCheck =
  | { ok: true; url: URL; insecureLoopback: boolean }
  | { ok: false; error: string };

export function checkIssuerUrl(raw: string, allowHttpLoopback: boolean): IssuerCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, error: 'Enter the issuer URL, starting with https://.' };
  }
  if (url.search || url.hash || url.username || url.password) {
    return { ok: false, error: 'Enter the issuer URL without ?, # or a user name in it.' };
  }
  if (url.protocol === 'https:') return { ok: true, url, insecureLoopback: false };
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    if (allowHttpLoopback) return { ok: true, url, insecureLoopback: true };
    return {
      ok: false,
      error:
        'An http:// provider on this machine is accepted only with SSO_ALLOW_HTTP_LOOPBACK=on (for tests).',
    };
  }
  return { ok: false, error: 'Enter the issuer URL, starting with https://.' };
}
