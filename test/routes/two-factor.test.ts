import { beforeAll, describe, expect, it } from 'vitest';
import { Browser, signIn, useTestAppWith } from '../helpers/app.js';
import {
  actionsOf,
  codeFor,
  enrol,
  passwordStep,
  TWO_FACTOR_STAFF,
} from '../helpers/two-factor.js';

const w = useTestAppWith(TWO_FACTOR_STAFF);

describe('enrolment', () => {
  it('shows a server-rendered QR code and the secret, confirms one code, and issues ten recovery codes', async () => {
    const bo = await signIn(w.t.app, 'bo');
    const intro = await bo.get('/profile/two-factor');
    expect(intro.statusCode).toBe(200);
    expect(intro.body).toContain('Set up two-step sign-in');
    await bo.post('/profile/two-factor/start');
    const page = await bo.get('/profile/two-factor');
    expect(page.body).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    expect(page.headers['content-security-policy']).toMatch(/img-src 'self' data:/);
    expect(page.headers['cache-control']).toBe('no-store');
    const secret = /class="secret"><code>([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1] ?? '';
    const svg = Buffer.from(/base64,([^"]+)"/.exec(page.body)?.[1] ?? '', 'base64').toString();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    const wrong = await bo.post('/profile/two-factor/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('<p class="field-error" id="code-error">That code did not match');

    const done = await bo.post('/profile/two-factor/confirm', { code: codeFor(w.t, secret) });
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    const codes = [...done.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)];
    expect(codes).toHaveLength(10);
    expect(await actionsOf(w.t, 'bo')).toContain('two-factor-enrolled');

    // The secret is stored encrypted with the PHI key; the codes only as hashes.
    const row = await w.t.app.db
      .selectFrom('staff_two_factor')
      .innerJoin('staff', 'staff.id', 'staff_two_factor.staff_id')
      .select(['secret', 'confirmed_at'])
      .where('staff.username', '=', 'bo')
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^v1:/);
    expect(w.t.app.phi.decrypt(row.secret)).toBe(secret.replace(/\s/g, ''));
    expect(row.confirmed_at).not.toBeNull();
    const stored = await w.t.app.db
      .selectFrom('staff_recovery_codes')
      .select('code_hash')
      .execute();
    for (const [, code] of codes) {
      expect(stored.some((s) => s.code_hash.includes((code ?? '').replace('-', '')))).toBe(false);
    }

    const status = await bo.get('/profile/two-factor');
    expect(status.body).toContain('You have <strong>10</strong> unused recovery codes');
  });
});

describe('sign-in with a second factor', () => {
  let secret: string;
  let codes: string[];
  beforeAll(async () => {
    ({ secret, codes } = await enrol(w.t, await signIn(w.t.app, 'cy')));
  });

  it('asks for a code after the password, and starts the session only after it', async () => {
    const browser = await passwordStep(w.t, 'cy');
    // A pending sign-in opens no page.
    const home = await browser.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/sign-in');
    expect(browser.hasCookie('hushdesk')).toBe(false);

    await browser.get('/sign-in/two-factor');
    const response = await browser.post('/sign-in/two-factor', { code: codeFor(w.t, secret) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    expect(browser.hasCookie('hushdesk')).toBe(true);
    expect(browser.hasCookie('hushdesk-2fa')).toBe(false);
    expect((await browser.get('/')).statusCode).toBe(200);
    expect((await actionsOf(w.t, 'cy')).slice(-2)).toEqual(['two-factor-passed', 'sign-in']);
  });

  it('refuses a wrong code, and the same code a second time', async () => {
    w.t.clock.advance(30_000);
    const code = codeFor(w.t, secret);
    const first = await passwordStep(w.t, 'cy');
    const wrong = await first.post('/sign-in/two-factor', {
      code: code === '123456' ? '654321' : '123456',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That code did not work.');
    expect(first.hasCookie('hushdesk')).toBe(false);
    expect(await actionsOf(w.t, 'cy')).toContain('two-factor-failed');
    expect((await first.post('/sign-in/two-factor', { code })).statusCode).toBe(303);

    // Someone who saw that code cannot use it again within its window.
    const second = await passwordStep(w.t, 'cy');
    const replay = await second.post('/sign-in/two-factor', { code });
    expect(replay.statusCode).toBe(401);
    expect(
      (await second.post('/sign-in/two-factor', { code: codeFor(w.t, secret, 1) })).statusCode,
    ).toBe(303);
  });

  it('accepts a recovery code once', async () => {
    const recovery = codes[0] ?? '';
    const first = await passwordStep(w.t, 'cy');
    const used = await first.post('/sign-in/two-factor', { code: recovery.toUpperCase() });
    expect(used.statusCode).toBe(303);
    expect((await actionsOf(w.t, 'cy')).slice(-2)).toEqual(['recovery-code-used', 'sign-in']);
    const detail = await w.t.app.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'recovery-code-used')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(detail.detail).toBe('9 recovery codes left');

    const again = await passwordStep(w.t, 'cy');
    expect((await again.post('/sign-in/two-factor', { code: recovery })).statusCode).toBe(401);
  });

  it('sends the person back to the password after five wrong codes, or after five minutes', async () => {
    const gus = await enrol(w.t, await signIn(w.t.app, 'gus'));
    const browser = await passwordStep(w.t, 'gus');
    for (let i = 0; i < 4; i++) {
      expect((await browser.post('/sign-in/two-factor', { code: `00000${i}` })).statusCode).toBe(
        401,
      );
    }
    const fifth = await browser.post('/sign-in/two-factor', { code: '000009' });
    expect(fifth.statusCode).toBe(303);
    expect(fifth.headers.location).toBe('/sign-in?again=too-many-codes');
    expect((await browser.get('/sign-in?again=too-many-codes')).body).toContain(
      'Too many wrong codes',
    );
    // The pending sign-in is gone: even the right code needs the password again.
    expect(
      (await browser.post('/sign-in/two-factor', { code: codeFor(w.t, gus.secret) })).headers
        .location,
    ).toBe('/sign-in?again=expired');

    const slow = await passwordStep(w.t, 'gus');
    w.t.clock.advance(5 * 60_000);
    const late = await slow.post('/sign-in/two-factor', { code: codeFor(w.t, gus.secret) });
    expect(late.headers.location).toBe('/sign-in?again=expired');
    expect(slow.hasCookie('hushdesk')).toBe(false);
  });

  it('makes wrong codes wait, like wrong passwords', async () => {
    const hal = await enrol(w.t, await signIn(w.t.app, 'hal'));
    for (let round = 0; round < 2; round++) {
      const browser = await passwordStep(w.t, 'hal');
      for (let i = 0; i < 3; i++) await browser.post('/sign-in/two-factor', { code: '000000' });
    }
    const browser = await passwordStep(w.t, 'hal');
    const waited = await browser.post('/sign-in/two-factor', { code: codeFor(w.t, hal.secret) });
    expect(waited.statusCode).toBe(429);
    expect(waited.body).toMatch(/Too many wrong codes\. Wait \d+ seconds? and try again\./);
    w.t.clock.advance(10 * 60_000);
    const later = await passwordStep(w.t, 'hal');
    expect(
      (await later.post('/sign-in/two-factor', { code: codeFor(w.t, hal.secret) })).statusCode,
    ).toBe(303);
  });

  it('without a pending sign-in, the code page sends to sign-in', async () => {
    const browser = new Browser(w.t.app);
    const response = await browser.get('/sign-in/two-factor');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in?again=expired');
  });
});
