/**
 * What a browser keeps between requests: the cookies Set-Cookie gave it, and the
 * CSRF token on the last page it read. Shared by the in-process Browser
 * (test/helpers/app.ts), the HTTP client for servers run as processes
 * (test/helpers/processes.ts) and the bench's sign-in (bench/session.ts), so it
 * imports nothing but Node's own types.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** The Cookie header to send; empty when the jar holds none. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Keeps what Set-Cookie lines set and drops what they clear, as a browser does. */
  take(setCookie: readonly string[] | string | undefined): void {
    const lines = typeof setCookie === 'string' ? [setCookie] : (setCookie ?? []);
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || attributes.some(clears)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** `Max-Age=0` or an `Expires` already past: the server is removing the cookie. */
function clears(attribute: string): boolean {
  const at = attribute.indexOf('=');
  const key = attribute.slice(0, at).trim().toLowerCase();
  const value = attribute.slice(at + 1).trim();
  if (key === 'max-age') return Number(value) <= 0;
  if (key === 'expires') return Date.parse(value) < Date.now();
  return false;
}

/** The CSRF token a page carries: the signed-in layout's meta tag, else a form's `_csrf` field. */
export function csrfTokenIn(body: string): string | undefined {
  return (
    /name="csrf-token" content="([^"]+)"/.exec(body)?.[1] ??
    /name="_csrf" value="([^"]+)"/.exec(body)?.[1]
  );
}
