import { afterAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/repositories/settings.js';
import { addStaff, Browser, PASSWORD, signIn, useTestAppWith } from '../helpers/app.js';
import { actionsOf, codeFor, enrol, TWO_FACTOR_STAFF } from '../helpers/two-factor.js';

const w = useTestAppWith(TWO_FACTOR_STAFF);

describe('requiring a second factor for everyone', () => {
  afterAll(() => setSetting(w.t.app.db, 'require_two_factor', false, null, w.t.clock.now()));

  it('keeps people without one on the enrolment page until they have set it up', async () => {
    const di = await signIn(w.t.app, 'di');
    await setSetting(w.t.app.db, 'require_two_factor', true, null, w.t.clock.now());

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
    const fresh = new Browser(w.t.app);
    await fresh.get('/sign-in');
    await fresh.post('/sign-in', { username: 'ed', password: PASSWORD });
    expect((await fresh.get('/')).headers.location).toBe('/profile/two-factor');

    await enrol(w.t, di);
    expect((await di.get('/')).statusCode).toBe(200);
  });

  it('does not let anyone turn it off while it is required', async () => {
    const flo = await signIn(w.t.app, 'flo');
    await setSetting(w.t.app.db, 'require_two_factor', false, null, w.t.clock.now());
    const { secret } = await enrol(w.t, flo);
    await setSetting(w.t.app.db, 'require_two_factor', true, null, w.t.clock.now());
    const refused = await flo.post('/profile/two-factor/off', { code: codeFor(w.t, secret) });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('cannot be turned off');

    await setSetting(w.t.app.db, 'require_two_factor', false, null, w.t.clock.now());
    const off = await flo.post('/profile/two-factor/off', { code: codeFor(w.t, secret) });
    expect(off.statusCode).toBe(303);
    expect(await actionsOf(w.t, 'flo')).toContain('two-factor-removed');
    const back = new Browser(w.t.app);
    await back.get('/sign-in');
    const response = await back.post('/sign-in', { username: 'flo', password: PASSWORD });
    expect(response.headers.location).toBe('/');
  });
});

describe('an administrator turns it off for someone who lost phone and codes', () => {
  it('removes the second factor, ends their sessions, and audits it; staff cannot', async () => {
    await addStaff(w.t.app, 'ivy');
    const ivy = await signIn(w.t.app, 'ivy');
    await enrol(w.t, ivy);
    const ivyId = (
      await w.t.app.db
        .selectFrom('staff')
        .select('id')
        .where('username', '=', 'ivy')
        .executeTakeFirstOrThrow()
    ).id;

    await addStaff(w.t.app, 'jo');
    const jo = await signIn(w.t.app, 'jo');
    await jo.get('/profile');
    expect((await jo.post(`/staff/${ivyId}/two-factor/reset`)).statusCode).toBe(403);

    const ann = await signIn(w.t.app, 'ann');
    const page = await ann.get(`/staff/${ivyId}`);
    expect(page.body).toContain('Turn off two-step sign-in');
    const reset = await ann.post(`/staff/${ivyId}/two-factor/reset`);
    expect(reset.statusCode).toBe(303);
    expect((await ann.get(String(reset.headers.location))).body).toContain(
      'Two-step sign-in turned off and their sessions ended.',
    );
    // Ivy's session is gone, and the next sign-in needs only the password.
    expect((await ivy.get('/')).statusCode).toBe(303);
    const again = new Browser(w.t.app);
    await again.get('/sign-in');
    const signedIn = await again.post('/sign-in', { username: 'ivy', password: PASSWORD });
    expect(signedIn.headers.location).toBe('/');
    expect(await actionsOf(w.t, 'ann')).toContain('two-factor-reset');
  });
});
