import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createTestAppWith, signIn, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestAppWith({ bo: { name: 'Bo Chen' }, cy: { name: 'Cy Diaz' } });
});
afterAll(() => t.close());

const checked = (body: string) =>
  [...body.matchAll(/name="kinds" value="(\w+)" checked/g)].map((m) => m[1]);

describe('/profile/notifications', () => {
  it('needs sign-in', async () => {
    expect((await new Browser(t.app).get('/profile/notifications')).statusCode).toBe(303);
  });

  it('starts with every kind on', async () => {
    const bo = await signIn(t.app, 'bo');
    const page = await bo.get('/profile/notifications');
    expect(page.statusCode).toBe(200);
    expect(checked(page.body)).toEqual([
      'assigned',
      'auto_assigned',
      'due_today',
      'overdue',
      'status_changed',
      'note_added',
      'escalated',
    ]);
  });

  it('turns kinds off and on for that person only, and says it saved', async () => {
    const bo = await signIn(t.app, 'bo');
    await bo.get('/profile/notifications');
    const saved = await bo.post('/profile/notifications', {
      kinds: ['assigned', 'overdue', 'not-a-kind'],
    });
    expect(saved.statusCode).toBe(303);
    const page = await bo.get(saved.headers.location as string);
    expect(page.body).toContain('Saved.');
    expect(checked(page.body)).toEqual(['assigned', 'overdue']);

    const cy = await signIn(t.app, 'cy');
    expect(checked((await cy.get('/profile/notifications')).body)).toHaveLength(7);

    await bo.post('/profile/notifications', {});
    expect(checked((await bo.get('/profile/notifications')).body)).toEqual([]);
    await bo.post('/profile/notifications', { kinds: 'escalated' });
    expect(checked((await bo.get('/profile/notifications')).body)).toEqual(['escalated']);
  });

  it('refuses a change without the form token', async () => {
    const bo = await signIn(t.app, 'bo');
    const response = await bo.post('/profile/notifications', { _csrf: 'forged', kinds: [] });
    expect(response.statusCode).toBe(403);
  });
});
