import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

let plain: TestApp;
let https: TestApp;

beforeAll(async () => {
  plain = await createTestApp();
  https = await createTestApp({ BASE_URL: 'https://help.agency.example' });
});
afterAll(async () => {
  await plain.close();
  await https.close();
});

describe('security headers', () => {
  it('sends the whole set on pages, errors and static files alike', async () => {
    for (const url of ['/sign-in', '/nowhere', '/static/css/app.css', '/healthz']) {
      const r = await plain.app.inject({ method: 'GET', url });
      expect(r.headers, url).toMatchObject({
        'content-security-policy':
          "default-src 'self';script-src 'self';style-src 'self';" +
          "style-src-attr 'unsafe-hashes' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';" +
          "img-src 'self' data:;font-src 'self';connect-src 'self';form-action 'self';" +
          "frame-ancestors 'none';base-uri 'none';object-src 'none'",
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'origin-agent-cluster': '?1',
        'referrer-policy': 'same-origin',
        'x-content-type-options': 'nosniff',
        'x-dns-prefetch-control': 'off',
        'x-download-options': 'noopen',
        'x-frame-options': 'SAMEORIGIN',
        'x-permitted-cross-domain-policies': 'none',
        'x-xss-protection': '0',
      });
      expect(r.headers['strict-transport-security'], url).toBeUndefined();
      expect(r.headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it('asks browsers to keep to HTTPS only when hushdesk is served over HTTPS', async () => {
    const r = await https.app.inject({ method: 'GET', url: '/sign-in' });
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});
