import { expect } from 'vitest';
import { totpCode, totpStep } from '../../src/auth/totp.js';
import { ANN_ADMIN, Browser, PASSWORD, type StaffOptions, type TestApp } from './app.js';

/** The two-step sign-in tests' agency: Ann, an administrator, and seven staff to enrol one each. */
export const TWO_FACTOR_STAFF: Record<string, StaffOptions> = {
  ...ANN_ADMIN,
  ...Object.fromEntries(['bo', 'cy', 'di', 'ed', 'flo', 'gus', 'hal'].map((name) => [name, {}])),
};

/** The code an authenticator app would show now (or `steps` later) for a secret. */
export const codeFor = (t: TestApp, secret: string, steps = 0) =>
  totpCode(secret.replace(/\s/g, ''), totpStep(t.clock.now()) + steps);

/** Goes through enrolment as a person would; returns the secret and the recovery codes. */
export async function enrol(
  t: TestApp,
  browser: Browser,
): Promise<{ secret: string; codes: string[] }> {
  await browser.get('/profile/two-factor');
  expect((await browser.post('/profile/two-factor/start')).statusCode).toBe(303);
  const page = await browser.get('/profile/two-factor');
  const secret = /class="secret"><code>([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1] ?? '';
  expect(secret).not.toBe('');
  const done = await browser.post('/profile/two-factor/confirm', { code: codeFor(t, secret) });
  expect(done.statusCode).toBe(200);
  const codes = [...done.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map(
    (m) => m[1] ?? '',
  );
  // The enrolment code is used up; later sign-ins take the next step's code.
  t.clock.advance(30_000);
  return { secret, codes };
}

/** The audit actions recorded against a person, oldest first. */
export async function actionsOf(t: TestApp, username: string): Promise<string[]> {
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
export async function passwordStep(t: TestApp, username: string): Promise<Browser> {
  const browser = new Browser(t.app);
  await browser.get('/sign-in');
  const response = await browser.post('/sign-in', { username, password: PASSWORD });
  expect(response.statusCode).toBe(303);
  expect(response.headers.location).toBe('/sign-in/two-factor');
  await browser.get('/sign-in/two-factor');
  return browser;
}
