import { describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/auth/totp.js';
import {
  ENCODED_PAYLOADS,
  expectStaysOnSite,
  OFF_SITE_PAYLOADS,
} from '../auth/redirect-payloads.js';
import { ANN_ADMIN, addStaff, Browser, PASSWORD, signIn, useTestAppWith } from '../helpers/app.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * Every parameter that feeds a redirect or a "carry on" link, fed every payload:
 * the answer is never a 500 and never leads to another site.
 */
const w = useTestAppWith({ ...ANN_ADMIN, bo: { name: 'Bo Chen' } }, async (t) => {
  const ann = await signIn(t.app, 'ann');
  return { ann, ticket: await createTicket(ann) };
});

const label = (p: string) => JSON.stringify(p);

describe('sign-in next', () => {
  it.each(ENCODED_PAYLOADS.map((p) => [p]))('GET /sign-in?next=%s signed in', async (p) => {
    const response = await w.ann.get(`/sign-in?next=${p}`);
    expect(response.statusCode).toBe(303);
    expectStaysOnSite(response.headers.location);
  });

  it.each(ENCODED_PAYLOADS.map((p) => [p]))('GET /sign-in?next=%s signed out', async (p) => {
    const response = await w.t.app.inject({ method: 'GET', url: `/sign-in?next=${p}` });
    expect(response.statusCode).toBe(200);
    const next = /name="next" value="([^"]*)"/.exec(response.body)?.[1];
    expectStaysOnSite(next?.replace(/&amp;/g, '&'));
  });

  it('POST /sign-in with each payload as next', async () => {
    for (const payload of OFF_SITE_PAYLOADS) {
      const browser = new Browser(w.t.app);
      await browser.get('/sign-in');
      const response = await browser.post('/sign-in', {
        username: 'bo',
        password: PASSWORD,
        next: payload,
      });
      expect(response.statusCode, label(payload)).toBe(303);
      expectStaysOnSite(response.headers.location);
    }
  });

  it('the return address an htmx request sends is held to this site too', async () => {
    for (const payload of OFF_SITE_PAYLOADS) {
      const response = await w.t.app.inject({
        method: 'POST',
        url: `/tickets/${w.ticket}/status`,
        // Raw where a header may carry it (a tab may), percent-encoded where not.
        headers: {
          'hx-request': 'true',
          'hx-current-url': /^[\t\u0020-\u007e]*$/.test(payload) ? payload : encodeURI(payload),
        },
      });
      expect(response.statusCode, label(payload)).toBe(401);
      const target = new URL(String(response.headers['hx-redirect']), 'http://localhost:3000');
      expect(target.pathname, label(payload)).toBe('/sign-in');
      const next = target.searchParams.get('next');
      if (next !== null) expectStaysOnSite(next);
    }
  });
});

describe('ticket status return', () => {
  it('POST /tickets/:id/status with each payload as return', async () => {
    for (const payload of OFF_SITE_PAYLOADS) {
      const response = await w.ann.post(`/tickets/${w.ticket}/status`, {
        status: 'in_progress',
        return: payload,
      });
      expect(response.statusCode, label(payload)).toBe(303);
      expectStaysOnSite(response.headers.location);
      expect(response.headers.location, label(payload)).toBe(`/#ticket-${w.ticket}`);
    }
  });
});

describe('two-step enrolment next', () => {
  it('POST start and GET the page with each payload as next', async () => {
    const bo = await signIn(w.t.app, 'bo');
    for (const payload of OFF_SITE_PAYLOADS) {
      const started = await bo.post('/profile/two-factor/start', { next: payload });
      expect(started.statusCode, label(payload)).toBe(303);
      expect(started.headers.location, label(payload)).toBe('/profile/two-factor');
    }
    for (const payload of ENCODED_PAYLOADS) {
      const page = await bo.get(`/profile/two-factor?next=${payload}`);
      expect(page.statusCode, payload).toBe(200);
      for (const m of page.body.matchAll(/name="next" value="([^"]*)"/g)) {
        expect(m[1], payload).toBe('/');
      }
    }
  });

  it('the second step of sign-in returns only to this site', async () => {
    const cy = await addStaff(w.t.app, 'cy');
    const browser = await signIn(w.t.app, 'cy');
    await browser.get('/profile/two-factor');
    await browser.post('/profile/two-factor/start');
    const page = await browser.get('/profile/two-factor');
    const secret = (/class="secret"><code>([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1] ?? '').replace(
      /\s/g,
      '',
    );
    const confirmed = await browser.post('/profile/two-factor/confirm', {
      code: totpCode(secret, totpStep(w.t.clock.now())),
      next: '/\t/evil.example',
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('<a href="/">');
    expect(cy).toBeTruthy();
    for (const payload of ['/\t/evil.example', '/\\evil.example', '/.//evil.example']) {
      w.t.clock.advance(30_000);
      const again = new Browser(w.t.app);
      await again.get('/sign-in');
      const first = await again.post('/sign-in', {
        username: 'cy',
        password: PASSWORD,
        next: payload,
      });
      expect(first.headers.location).toBe('/sign-in/two-factor');
      await again.get('/sign-in/two-factor');
      const second = await again.post('/sign-in/two-factor', {
        code: totpCode(secret, totpStep(w.t.clock.now())),
      });
      expect(second.statusCode, label(payload)).toBe(303);
      expect(second.headers.location, label(payload)).toBe('/');
    }
  });
});
