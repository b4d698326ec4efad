import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/auth/totp.js';
import { setSetting } from '../../src/repositories/settings.js';
import {
  addStaff,
  Browser,
  createTestAppWith,
  PASSWORD,
  signIn,
  type TestApp,
} from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestAppWith({ ann: { name: 'Ann Lee', role: 'admin' } });
  for (const name of ['bo', 'cy', 'di', 'ed', 'flo', 'gus', 'hal']) await addStaff(t.app, name);
});
afterAll(() => t.close());

/** The code an authenticator app would show now (or `steps` later) for a secret. */
const codeFor = (secret: string, steps = 0) =>
  totpCode(secret.replace(/\s/g, ''), totpStep(t.clock.now()) + steps);

/** Goes through enrolment as a person would; returns the secret and the recovery codes. */
async function enrol(browser: Browser): Promise<{ secret: string; codes: string[] }> {
  await browser.get('/profile/two-factor');
  expect((await browser.post('/profile/two-factor/start')).statusCode).toBe(303);
  const page = await browser.get('/profile/two-factor');
  const secret = /class="secret"><code>([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1] ?? '';
  expect(secret).not.toBe('');
  const done = await browser.post('/profile/two-factor/confirm', { code: codeFor(secret) });
  expect(done.statusCode).toBe(200);
  const codes = [...done.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map(
    (m) => m[1] ?? '',
  );
  // The enrolment code is used up; later sign-ins take the next step's code.
  t.clock.advance(30_000);
  return { secret, codes };
}

async function actionsOf(username: string): Promise<string[]> {
  const rows = await t.app.db
    .selectFrom('audit_log')
    .innerJoin('staff', 'staff.id', 'audit_log.staff_id')
    .select('audit_log.action')
    .where('staff.username', '=', username)
    .orderBy('audit_log.id')
    .execute();
  return rows.map((r) => r.action);
}

/** Password first; returns the browser holding only a pending sign-in. */
async function password(username: string): Promise<Browser> {
  const browser = new Browser(t.app);
  await browser.get('/sign-in');
  const response = await browser.post('/sign-in', { username, password: PASSWORD });
  expect(response.statusCode).toBe(303);
  expect(response.headers.location).toBe('/sign-in/two-factor');
  await browser.get('/sign-in/two-factor');
  return browser;
}

describe('enrolment', () => {
  it('shows a server-rendered QR code and the secret, confirms one code, and issues ten recovery codes', async () => {
    const bo = await signIn(t.app, 'bo');
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

    const done = await bo.post('/profile/two-factor/confirm', { code: codeFor(secret) });
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    const codes = [...done.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)];
    expect(codes).toHaveLength(10);
    expect(await actionsOf('bo')).toContain('two-factor-enrolled');

    // The secret is stored encrypted with the PHI key; the codes only as hashes.
    const row = await t.app.db
      .selectFrom('staff_two_factor')
      .innerJoin('staff', 'staff.id', 'staff_two_factor.staff_id')
      .select(['secret', 'confirmed_at'])
      .where('staff.username', '=', 'bo')
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^v1:/);
    expect(t.app.phi.decrypt(row.secret)).toBe(secret.replace(/\s/g, ''));
    expect(row.confirmed_at).not.toBeNull();
    const stored = await t.app.db.selectFrom('staff_recovery_codes').select('code_hash').execute();
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
    ({ secret, codes } = await enrol(await signIn(t.app, 'cy')));
  });

  it('asks for a code after the password, and starts the session only after it', async () => {
    const browser = await password('cy');
    // A pending sign-in opens no page.
    const home = await browser.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/sign-in');
    expect(browser.hasCookie('hushdesk')).toBe(false);

    await browser.get('/sign-in/two-factor');
    const response = await browser.post('/sign-in/two-factor', { code: codeFor(secret) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    expect(browser.hasCookie('hushdesk')).toBe(true);
    expect(browser.hasCookie('hushdesk-2fa')).toBe(false);
    expect((await browser.get('/')).statusCode).toBe(200);
    expect((await actionsOf('cy')).slice(-2)).toEqual(['two-factor-passed', 'sign-in']);
  });

  it('refuses a wrong code, and the same code a second time', async () => {
    t.clock.advance(30_000);
    const code = codeFor(secret);
    const first = await password('cy');
    const wrong = await first.post('/sign-in/two-factor', {
      code: code === '123456' ? '654321' : '123456',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That code did not work.');
    expect(first.hasCookie('hushdesk')).toBe(false);
    expect(await actionsOf('cy')).toContain('two-factor-failed');
    expect((await first.post('/sign-in/two-factor', { code })).statusCode).toBe(303);

    // Someone who saw that code cannot use it again within its window.
    const second = await password('cy');
    const replay = await second.post('/sign-in/two-factor', { code });
    expect(replay.statusCode).toBe(401);
    expect(
      (await second.post('/sign-in/two-factor', { code: codeFor(secret, 1) })).statusCode,
    ).toBe(303);
  });

  it('accepts a recovery code once', async () => {
    const recovery = codes[0] ?? '';
    const first = await password('cy');
    const used = await first.post('/sign-in/two-factor', { code: recovery.toUpperCase() });
    expect(used.statusCode).toBe(303);
    expect((await actionsOf('cy')).slice(-2)).toEqual(['recovery-code-used', 'sign-in']);
    const detail = await t.app.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'recovery-code-used')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(detail.detail).toBe('9 recovery codes left');

    const again = await password('cy');
    expect((await again.post('/sign-in/two-factor', { code: recovery })).statusCode).toBe(401);
  });

  it('sends the person back to the password after five wrong codes, or after five minutes', async () => {
    const gus = await enrol(await signIn(t.app, 'gus'));
    const browser = await password('gus');
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
      (await browser.post('/sign-in/two-factor', { code: codeFor(gus.secret) })).headers.location,
    ).toBe('/sign-in?again=expired');

    const slow = await password('gus');
    t.clock.advance(5 * 60_000);
    const late = await slow.post('/sign-in/two-factor', { code: codeFor(gus.secret) });
    expect(late.headers.location).toBe('/sign-in?again=expired');
    expect(slow.hasCookie('hushdesk')).toBe(false);
  });

  it('makes wrong codes wait, like wrong passwords', async () => {
    const hal = await enrol(await signIn(t.app, 'hal'));
    for (let round = 0; round < 2; round++) {
      const browser = await password('hal');
      for (let i = 0; i < 3; i++) await browser.post('/sign-in/two-factor', { code: '000000' });
    }
    const browser = await password('hal');
    const waited = await browser.post('/sign-in/two-factor', { code: codeFor(hal.secret) });
    expect(waited.statusCode).toBe(429);
    expect(waited.body).toMatch(/Too many wrong codes\. Wait \d+ seconds? and try again\./);
    t.clock.advance(10 * 60_000);
    const later = await password('hal');
    expect(
      (await later.post('/sign-in/two-factor', { code: codeFor(hal.secret) })).statusCode,
    ).toBe(303);
  });

  it('without a pending sign-in, the code page sends to sign-in', async () => {
    const browser = new Browser(t.app);
    const response = await browser.get('/sign-in/two-factor');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in?again=expired');
  });
});

describe('requiring a second factor for everyone', () => {
  afterAll(() => setSetting(t.app.db, 'require_two_factor', false, null, t.clock.now()));

  it('keeps people without one on the enrolment page until they have set it up', async () => {
    const di = await signIn(t.app, 'di');
    await setSetting(t.app.db, 'require_two_factor', true, null, t.clock.now());

    const home = await di.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/profile/two-factor');
    const deep = await di.get('/profile/notifications?x=1');
    expect(deep.headers.location).toBe(
      '/profile/two-factor?next=%2Fprofile%2Fnotifications%3Fx%3D1',
    );
    const swap = await di.htmx('GET', '/');
    expect(swap.statusCode).toBe(403);
    expect(swap.headers['hx-redirect']).toBe('/profile/two-factor');
    const page = await di.get('/profile/two-factor');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your agency requires two-step sign-in');

    // A fresh sign-in lands there too.
    const fresh = new Browser(t.app);
    await fresh.get('/sign-in');
    await fresh.post('/sign-in', { username: 'ed', password: PASSWORD });
    expect((await fresh.get('/')).headers.location).toBe('/profile/two-factor');

    await enrol(di);
    expect((await di.get('/')).statusCode).toBe(200);
  });

  it('does not let anyone turn it off while it is required', async () => {
    const flo = await signIn(t.app, 'flo');
    await setSetting(t.app.db, 'require_two_factor', false, null, t.clock.now());
    const { secret } = await enrol(flo);
    await setSetting(t.app.db, 'require_two_factor', true, null, t.clock.now());
    const refused = await flo.post('/profile/two-factor/off', { code: codeFor(secret) });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('cannot be turned off');

    await setSetting(t.app.db, 'require_two_factor', false, null, t.clock.now());
    const off = await flo.post('/profile/two-factor/off', { code: codeFor(secret) });
    expect(off.statusCode).toBe(303);
    expect(await actionsOf('flo')).toContain('two-factor-removed');
    const back = new Browser(t.app);
    await back.get('/sign-in');
    const response = await back.post('/sign-in', { username: 'flo', password: PASSWORD });
    expect(response.headers.location).toBe('/');
  });
});

describe('an administrator turns it off for someone who lost phone and codes', () => {
  it('removes the second factor, ends their sessions, and audits it; staff cannot', async () => {
    await addStaff(t.app, 'ivy');
    const ivy = await signIn(t.app, 'ivy');
    await enrol(ivy);
    const ivyId = (
      await t.app.db
        .selectFrom('staff')
        .select('id')
        .where('username', '=', 'ivy')
        .executeTakeFirstOrThrow()
    ).id;

    await addStaff(t.app, 'jo');
    const jo = await signIn(t.app, 'jo');
    await jo.get('/profile');
    expect((await jo.post(`/staff/${ivyId}/two-factor/reset`)).statusCode).toBe(403);

    const ann = await signIn(t.app, 'ann');
    const page = await ann.get(`/staff/${ivyId}`);
    expect(page.body).toContain('Turn off two-step sign-in');
    const reset = await ann.post(`/staff/${ivyId}/two-factor/reset`);
    expect(reset.statusCode).toBe(303);
    expect((await ann.get(String(reset.headers.location))).body).toContain(
      'Two-step sign-in turned off and their sessions ended.',
    );
    // Ivy's session is gone, and the next sign-in needs only the password.
    expect((await ivy.get('/')).statusCode).toBe(303);
    const again = new Browser(t.app);
    await again.get('/sign-in');
    const signedIn = await again.post('/sign-in', { username: 'ivy', password: PASSWORD });
    expect(signedIn.headers.location).toBe('/');
    expect(await actionsOf('ann')).toContain('two-factor-reset');
  });
});
