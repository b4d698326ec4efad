import { describe, expect, it } from 'vitest';
import { InFlight, Throttle, USERNAME_RULE } from '../../src/auth/throttle.js';

describe('Throttle', () => {
  it('waits after the free tries, and a forgiven attempt does not count', () => {
    const throttle = new Throttle(USERNAME_RULE);
    for (let i = 0; i < 5; i++) throttle.fail('k', 0);
    expect(throttle.waitFor('k', 0)).toBe(1000);
    throttle.forgive('k');
    expect(throttle.waitFor('k', 0)).toBe(0);
  });

  it('holds a bounded number of keys however many names a scan makes up', () => {
    const throttle = new Throttle(USERNAME_RULE, 1000);
    for (let i = 0; i < 50_000; i++) throttle.fail(`made-up-${i}`, i);
    expect(throttle.size).toBeLessThanOrEqual(1000);
    // The most recent keys are the ones kept.
    for (let i = 0; i < 5; i++) throttle.fail('made-up-49999', 50_000);
    expect(throttle.waitFor('made-up-49999', 50_000)).toBeGreaterThan(0);
  });
});

describe('InFlight', () => {
  it('lets the limit in and refuses the next until one leaves', () => {
    const running = new InFlight(2);
    expect(running.enter('a')).toBe(true);
    expect(running.enter('a')).toBe(true);
    expect(running.enter('a')).toBe(false);
    expect(running.enter('b')).toBe(true);
    running.leave('a');
    expect(running.enter('a')).toBe(true);
  });
});
