/**
 * Growing waits after failed attempts (OWASP ASVS V6.3): failures per key earn
 * a wait doubling from one second up to a cap, so guessing is slow but the real
 * person is never locked out for good. `Throttle` keeps its counts in memory
 * (one process); `SharedThrottle` keeps them in the store, so every process
 * serving the agency counts the same failures.
 *
 * Count an attempt with `fail` *before* the slow check (Argon2, a code), and
 * `forgive` or `clear` it when the check passes: attempts that arrive together
 * then see each other, instead of all passing the wait before any is counted.
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

function waitAfter(rule: ThrottleRule, entry: Entry | undefined, now: number): number {
  if (!entry || entry.failures < rule.free) return 0;
  const wait = Math.min(1000 * 2 ** (entry.failures - rule.free), rule.maxWaitMs);
  return Math.max(0, entry.lastFailure + wait - now);
}

/** Where a `SharedThrottle` keeps its counts (src/repositories/sign-in-failures.ts). */
export interface FailureStore {
  /** The key's failures, unless the last is older than `since`. */
  find(key: string, since: Date): Promise<{ failures: number; lastFailureAt: Date } | null>;
  /** One more failure, in one statement; a count last moved before `since` starts again. */
  record(key: string, now: Date, since: Date): Promise<void>;
  forgive(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

/**
 * The same rule as `Throttle`, counted in the store: two processes behind one
 * address slow a guesser down together. `name` keeps each rule's keys apart.
 */
export class SharedThrottle {
  constructor(
    private readonly rule: ThrottleRule,
    private readonly store: FailureStore,
    private readonly name: string,
  ) {}

  async waitFor(key: string, now: number): Promise<number> {
    const found = await this.store.find(this.key(key), new Date(now - this.rule.forgetAfterMs));
    const entry = found
      ? { failures: found.failures, lastFailure: found.lastFailureAt.getTime() }
      : undefined;
    return waitAfter(this.rule, entry, now);
  }

  fail(key: string, now: number): Promise<void> {
    return this.store.record(this.key(key), new Date(now), new Date(now - this.rule.forgetAfterMs));
  }

  forgive(key: string): Promise<void> {
    return this.store.forgive(this.key(key));
  }

  clear(key: string): Promise<void> {
    return this.store.clear(this.key(key));
  }

  /** The stored key: the rule's name first, so two rules never count each other's failures. */
  private key(key: string): string {
    return `${this.name}:${key}`;
  }
}

/** Keys kept at most: a scan with endless made-up usernames must not grow memory without end. */
export const MAX_THROTTLE_KEYS = 20_000;

export class Throttle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rule: ThrottleRule,
    private readonly maxKeys = MAX_THROTTLE_KEYS,
  ) {}

  /** Milliseconds the key must still wait before another attempt, 0 when it may try now. */
  waitFor(key: string, now: number): number {
    return waitAfter(this.rule, this.current(key, now), now);
  }

  fail(key: string, now: number): void {
    const entry = this.current(key, now) ?? { failures: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    // Re-inserted, so the map's order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.shrink(now);
  }

  /** One counted attempt turned out right: take it back. */
  forgive(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.failures -= 1;
    if (entry.failures <= 0) this.entries.delete(key);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  /** How many keys are held (for the memory bound's test). */
  get size(): number {
    return this.entries.size;
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailure > this.rule.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Forgets expired keys; if still full, the least recently failed tenth. */
  private shrink(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.lastFailure > this.rule.forgetAfterMs) this.entries.delete(key);
    }
    if (this.entries.size <= this.maxKeys) return;
    let drop = this.entries.size - Math.floor(this.maxKeys * 0.9);
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}

/**
 * Attempts running at once per key. Argon2 takes 19 MiB and a core for a
 * moment: a burst of hundreds at once would take the machine, so beyond the
 * limit an attempt is refused at once rather than queued.
 */
export class InFlight {
  private readonly running = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** True when the key may start one more; the caller must `leave` afterwards. */
  enter(key: string): boolean {
    const count = this.running.get(key) ?? 0;
    if (count >= this.limit) return false;
    this.running.set(key, count + 1);
    return true;
  }

  leave(key: string): void {
    const count = (this.running.get(key) ?? 1) - 1;
    if (count <= 0) this.running.delete(key);
    else this.running.set(key, count);
  }
}

/** Per person (a wrong code, a wrong current password): five free tries, then 1 s, 2 s, 4 s … up to 5 minutes. */
export const USERNAME_RULE: ThrottleRule = {
  free: 5,
  maxWaitMs: 5 * 60_000,
  forgetAfterMs: 60 * 60_000,
};
