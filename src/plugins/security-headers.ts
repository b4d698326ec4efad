import fp from 'fastify-plugin';

/**
 * Security headers on every response (OWASP ASVS V3.4): a CSP with no inline
 * script and no eval, no framing, nosniff, and no referrer beyond our origin.
 *
 * The same set helmet 8 sends with our options, written out once: the headers
 * never vary by request, and @fastify/helmet rebuilt helmet's middleware, CSP
 * parsing included, on every request (docs/performance.md).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Only the empty style attribute: htmx copies `style=""` across a swap.
  "style-src-attr 'unsafe-hashes' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join(';');

export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    'content-security-policy': CSP,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'same-origin',
    // Only over HTTPS: a browser would otherwise refuse plain HTTP to this host for a year.
    ...(options.https
      ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
      : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

export default fp(async (app) => {
  const headers = securityHeaders({ https: app.config.secureCookies });
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });
});
