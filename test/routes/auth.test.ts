import { describe, expect, it } from 'vitest';
import {
  ANN_ADMIN,
  addStaff,
  Browser,
  createTestApp,
  PASSWORD,
  signIn,
  useTestAppWith,
} from '../helpers/app.js';

const w = useTestAppWith({
  ...ANN_ADMIN,
  bo: { name: 'Bo Chen' },
  cy: { name: 'Cy Diaz' },
  di: { name: 'Di Evans' },
});

describe('sign in', () => {
  it('sends a signed-out visitor to sign-in, then back to the page asked for', async () => {
    const browser = new Browser(w.t.app);
    const first = await browser.get('/?tab=mine');
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/sign-in?next=%2F%3Ftab%3Dmine');
    await browser.get(first.headers.location as string);
    const signedIn = await browser.post('/sign-in', {
      username: 'ANN',
      password: PASSWORD,
      next: '/?tab=mine',
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/?tab=mine');
    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Ann Lee');
    expect(home.body).toMatch(/aria-label="Help"/);
  });

  it('never returns to another site after sign-in', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    const response = await browser.post('/sign-in', {
      username: 'ann',
      password: PASSWORD,
      next: '//evil.example/',
    });
    expect(response.headers.location).toBe('/');
  });

  it('gives an unknown username and a wrong password the same answer', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    const wrong = await browser.post('/sign-in', { username: 'bo', password: 'not the password' });
    const unknown = await browser.post('/sign-in', { username: 'nobody', password: PASSWORD });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const message = (body: string) => /class="flash error"[^>]*>([^<]+)</.exec(body)?.[1];
    expect(message(wrong.body)).toBe(message(unknown.body));
    // What they typed is kept; the password is not echoed back.
    expect(wrong.body).toContain('value="bo"');
    expect(wrong.body).not.toContain('not the password');
  });

  it('issues a fresh session id at sign-in, never one the browser brought (no fixation)', async () => {
    const planted = 'planted-by-someone-else';
    const page = await w.t.app.inject({ method: 'GET', url: '/sign-in' });
    const form = page.cookies.find((c) => c.name === 'hushdesk-form')?.value ?? '';
    const response = await w.t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: `hushdesk=${planted}; hushdesk-form=${form}` },
      payload: { username: 'bo', password: PASSWORD, _csrf: form },
    });
    expect(response.statusCode).toBe(303);
    const issued = response.cookies.find((c) => c.name === 'hushdesk')?.value;
    expect(issued).toBeTruthy();
    expect(issued).not.toBe(planted);
    const again = new Browser(w.t.app);
    await again.get('/sign-in');
    const second = await again.post('/sign-in', { username: 'bo', password: PASSWORD });
    expect(second.cookies.find((c) => c.name === 'hushdesk')?.value).not.toBe(issued);
  });

  it('sets an HttpOnly SameSite=Lax session cookie', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    const response = await browser.post('/sign-in', { username: 'bo', password: PASSWORD });
    const cookie = response.cookies.find((c) => c.name === 'hushdesk');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.path).toBe('/');
  });
});

describe('throttling', () => {
  it('makes repeated failures wait longer, without locking the person out for good', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    for (let i = 0; i < 5; i++) {
      const r = await browser.post('/sign-in', { username: 'cy', password: `wrong-${i}-guess` });
      expect(r.statusCode).toBe(401);
    }
    // Even the right password must wait now, and the wait is said plainly.
    const blocked = await browser.post('/sign-in', { username: 'cy', password: PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toMatch(/Too many attempts\. Wait 1 second and try again\./);
    expect(blocked.headers['retry-after']).toBe('1');

    w.t.clock.advance(1_000);
    expect(
      (await browser.post('/sign-in', { username: 'cy', password: 'wrong-again' })).statusCode,
    ).toBe(401);
    const longer = await browser.post('/sign-in', { username: 'cy', password: PASSWORD });
    expect(longer.statusCode).toBe(429);
    expect(longer.headers['retry-after']).toBe('2');

    w.t.clock.advance(10 * 60_000);
    const allowed = await browser.post('/sign-in', { username: 'cy', password: PASSWORD });
    expect(allowed.statusCode).toBe(303);
  });

  it('throttles one username without touching another', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    for (let i = 0; i < 7; i++) {
      await browser.post('/sign-in', { username: 'di', password: `wrong-${i}-guess` });
    }
    expect(
      (await browser.post('/sign-in', { username: 'di', password: PASSWORD })).statusCode,
    ).toBe(429);
    expect(
      (await browser.post('/sign-in', { username: 'bo', password: PASSWORD })).statusCode,
    ).toBe(303);
    w.t.clock.advance(10 * 60_000);
  });
});

describe('sessions end', () => {
  it('after the idle timeout, and background polling does not keep them alive', async () => {
    const browser = await signIn(w.t.app, 'bo');
    w.t.clock.advanceMinutes(10);
    expect((await browser.get('/')).statusCode).toBe(200);
    w.t.clock.advanceMinutes(10);
    // Ten minutes after the last request by the person: still alive.
    expect((await browser.get('/', { 'hd-background': '1' })).statusCode).toBe(200);
    w.t.clock.advanceMinutes(6);
    // Sixteen minutes since the person's own request, however much polling came between.
    const ended = await browser.get('/');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/sign-in');
    const signInPage = await browser.get('/sign-in');
    expect(signInPage.body).toContain('Your session ended');
  });

  it('after the absolute limit however active the person is', async () => {
    const browser = await signIn(w.t.app, 'bo');
    for (let hour = 0; hour < 12 * 6 - 1; hour++) {
      w.t.clock.advanceMinutes(10);
      const r = await browser.get('/');
      expect(r.statusCode, `after ${(hour + 1) * 10} minutes`).toBe(200);
    }
    w.t.clock.advanceMinutes(10);
    expect((await browser.get('/')).statusCode).toBe(303);
  });

  it('at sign-out, on the server: the old cookie no longer works', async () => {
    const browser = await signIn(w.t.app, 'bo');
    const rows = await w.t.app.db.selectFrom('sessions').select('id').execute();
    const out = await browser.post('/sign-out');
    expect(out.statusCode).toBe(303);
    const after = await w.t.app.db.selectFrom('sessions').select('id').execute();
    expect(after.length).toBe(rows.length - 1);
  });

  it('tells htmx to redirect the whole page to sign-in', async () => {
    const browser = await signIn(w.t.app, 'bo');
    w.t.clock.advanceMinutes(16);
    const response = await browser.get('/', {
      'hx-request': 'true',
      'hx-current-url': 'http://localhost:3000/',
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['hx-redirect']).toBe('/sign-in');
  });
});

describe('sign-out', () => {
  it('makes a replayed session cookie useless', async () => {
    const browser = new Browser(w.t.app);
    await browser.get('/sign-in');
    const signedIn = await browser.post('/sign-in', { username: 'bo', password: PASSWORD });
    const token = signedIn.cookies.find((c) => c.name === 'hushdesk')?.value;
    await browser.get('/');
    await browser.post('/sign-out');
    const replay = await w.t.app.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: `hushdesk=${token}` },
    });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/sign-in');
  });
});

describe('the audit log', () => {
  it('records sign-in, failed sign-in, timeout and sign-out, naming the person', async () => {
    const t2 = await createTestApp();
    try {
      await addStaff(t2.app, 'eve', { name: 'Eve Fox' });
      const browser = new Browser(t2.app);
      await browser.get('/sign-in');
      await browser.post('/sign-in', { username: 'eve', password: 'not-her-password' });
      await browser.post('/sign-in', { username: 'ghost', password: 'whatever-it-is' });
      await browser.post('/sign-in', { username: 'eve', password: PASSWORD });
      await browser.get('/');
      t2.clock.advanceMinutes(16);
      await browser.get('/');
      const again = await signIn(t2.app, 'eve');
      await again.post('/sign-out');
      const rows = await t2.app.db
        .selectFrom('audit_log')
        .select(['actor', 'action', 'staff_id', 'ip'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => [r.action, r.actor])).toEqual([
        ['sign-in-failed', 'Eve Fox (eve)'],
        ['sign-in-failed', 'unknown username'],
        ['sign-in', 'Eve Fox (eve)'],
        ['session-timeout', 'Eve Fox (eve)'],
        ['sign-in', 'Eve Fox (eve)'],
        ['sign-out', 'Eve Fox (eve)'],
      ]);
      expect(rows.every((r) => r.ip)).toBe(true);
    } finally {
      await t2.close();
    }
  });
});
