import { afterEach, describe, expect, it } from 'vitest';
import {
  clearSignInFailures,
  findSignInFailures,
  forgetSignInFailures,
  recordSignInFailure,
} from '../../src/repositories/sign-in-failures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const MINUTE = 60_000;

describe('sign-in failures in the store', () => {
  it('counts failures per key, forgets old ones, and never stores the key itself', async () => {
    t = await createTestApp();
    const db = t.app.db;
    const now = t.clock.now();
    const since = new Date(now.getTime() - 15 * MINUTE);
    expect(await findSignInFailures(db, 'user:ann', since)).toBeNull();
    // Concurrent failures (two processes, one guesser) are all counted.
    await Promise.all(
      Array.from({ length: 5 }, () => recordSignInFailure(db, 'user:ann', now, since)),
    );
    expect(await findSignInFailures(db, 'user:ann', since)).toEqual({
      failures: 5,
      lastFailureAt: now,
    });
    expect(await findSignInFailures(db, 'user:bea', since)).toBeNull();
    const stored = await db.selectFrom('sign_in_failures').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('ann');

    // Past the throttle's memory the count starts again.
    const later = new Date(now.getTime() + 20 * MINUTE);
    const laterSince = new Date(later.getTime() - 15 * MINUTE);
    expect(await findSignInFailures(db, 'user:ann', laterSince)).toBeNull();
    expect(await recordSignInFailure(db, 'user:ann', later, laterSince)).toBe(1);

    await recordSignInFailure(db, 'ip:10.0.0.7', now, since);
    expect(await forgetSignInFailures(db, laterSince)).toBe(1);
    await clearSignInFailures(db, 'user:ann');
    expect(await db.selectFrom('sign_in_failures').selectAll().execute()).toEqual([]);
  });
});
