/**
 * Sign-in throttling (OWASP ASVS V6.3): failures per username and per address
 * earn a growing wait, doubling from one second up to a cap, so guessing is slow
 * but the real person is never locked out for good. Kept in memory: one process.
 */
export interface ThrottleRule {
  /** Failures allowed before any wait. */
  free: number;
  /** The longest wait, in milliseconds. */
  maxWaitMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

interface Entry {
  failures: number;
  lastFailure: number;
}

export class Throttle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly rule: ThrottleRule) {}

  /** Milliseconds the key must still wait before another attempt, 0 when it may try now. */
  waitFor(key: string, now: number): number {
    const entry = this.current(key, now);
    if (!entry || entry.failures < this.rule.free) return 0;
    const wait = Math.min(1000 * 2 ** (entry.failures - this.rule.free), this.rule.maxWaitMs);
    return Math.max(0, entry.lastFailure + wait - now);
  }

  fail(key: string, now: number): void {
    const entry = this.current(key, now) ?? { failures: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    this.entries.set(key, entry);
    if (this.entries.size > 10_000) this.sweep(now);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailure > this.rule.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.lastFailure > this.rule.forgetAfterMs) this.entries.delete(key);
    }
  }
}

/** Per username: five free tries, then 1 s, 2 s, 4 s … up to 5 minutes. */
export const USERNAME_RULE: ThrottleRule = {
  free: 5,
  maxWaitMs: 5 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** Per address: an office shares one address, so it gets more room before waits. */
export const ADDRESS_RULE: ThrottleRule = {
  free: 20,
  maxWaitMs: 5 * 60_000,
  forgetAfterMs: 60 * 60_000,
};
