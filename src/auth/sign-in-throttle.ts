import type { Db } from '../db/index.js';
import { signInFailureStore } from '../repositories/sign-in-failures.js';
import { InFlight, MAX_THROTTLE_KEYS, SharedThrottle, type ThrottleRule } from './throttle.js';

/**
 * The sign-in throttle's rules (the README's Security section states them):
 *
 * - one username from one address: 5 failures free, then waits of 1 s, 2 s,
 *   4 s … up to 5 minutes;
 * - one username from any address: 20 free, then the same waits, so guessing
 *   from many addresses is slow too;
 * - one address for any username: 30 free, then the same waits, except for
 *   usernames that have signed in from that address within 30 days: a clinic's
 *   staff share one public address, and one noisy machine there must not lock
 *   them all out;
 * - at most 2 attempts at once per username and 8 per address; more are
 *   refused at once, and count as failures.
 *
 * Every attempt is counted before the password is checked and taken back when
 * it was right, so attempts sent together cannot all slip past the wait. An
 * attempt refused because of a wait is not counted: hammering does not make
 * the wait longer.
 *
 * The failure counts are in the store (every process sees them); the attempts
 * running at once, and the usernames known at an address, are this process's.
 *
 * The trade-off: someone who knows a username can, from many addresses, make
 * its owner wait (at most 5 minutes at a time) outside the addresses they have
 * signed in from. That is accepted: a wait, never a lock-out, against
 * unlimited guessing.
 */
const WAITS = { maxWaitMs: 5 * 60_000, forgetAfterMs: 60 * 60_000 };
export const PAIR_RULE: ThrottleRule = { free: 5, ...WAITS };
export const ACCOUNT_RULE: ThrottleRule = { free: 20, ...WAITS };
export const ADDRESS_RULE: ThrottleRule = { free: 30, ...WAITS };
export const IN_FLIGHT_PER_USERNAME = 2;
export const IN_FLIGHT_PER_ADDRESS = 8;
const KNOWN_FOR_MS = 30 * 24 * 60 * 60_000;

export type SignInAttempt =
  | { kind: 'wait'; seconds: number }
  | { kind: 'busy' }
  | { kind: 'go'; settle(ok: boolean): void };

export class SignInThrottle {
  private readonly pairs: SharedThrottle;
  private readonly accounts: SharedThrottle;
  private readonly addresses: SharedThrottle;
  private readonly runningPerUsername = new InFlight(IN_FLIGHT_PER_USERNAME);
  private readonly runningPerAddress = new InFlight(IN_FLIGHT_PER_ADDRESS);
  /** "username address" → when it last signed in; least recent first. */
  private readonly known = new Map<string, number>();

  constructor(db: Db) {
    const store = signInFailureStore(db);
    this.pairs = new SharedThrottle(PAIR_RULE, store, 'pair');
    this.accounts = new SharedThrottle(ACCOUNT_RULE, store, 'account');
    this.addresses = new SharedThrottle(ADDRESS_RULE, store, 'address');
  }

  /**
   * Before checking a password: a wait, a refusal because too many are running,
   * or the go-ahead with the attempt already counted. `settle` must be called
   * once the check is done, whatever its outcome.
   */
  begin(username: string, address: string, now: number): Promise<SignInAttempt> {
    // Entered at once, before any wait on the store: attempts sent together are
    // "at once" however long the store takes to answer each.
    const forUsername = this.runningPerUsername.enter(username);
    const admitted = forUsername && this.runningPerAddress.enter(address);
    if (forUsername && !admitted) this.runningPerUsername.leave(username);
    const leave = () => {
      if (!admitted) return;
      this.runningPerUsername.leave(username);
      this.runningPerAddress.leave(address);
    };
    // One at a time in this process, so attempts sent together see each other's
    // count (the store is read, then written). Across processes a burst may
    // count a few attempts more than it would in one: the waits only grow.
    const attempt = this.queue.then(() => this.check(username, address, now, admitted, leave));
    this.queue = attempt.catch(() => undefined);
    return attempt.catch((error: unknown) => {
      leave();
      throw error;
    });
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async check(
    username: string,
    address: string,
    now: number,
    admitted: boolean,
    leave: () => void,
  ): Promise<SignInAttempt> {
    const pair = `${username} ${address}`;
    const knownPair = this.isKnown(pair, now);
    const wait = Math.max(
      await this.pairs.waitFor(pair, now),
      await this.accounts.waitFor(username, now),
      knownPair ? 0 : await this.addresses.waitFor(address, now),
    );
    if (wait > 0) {
      leave();
      return { kind: 'wait', seconds: Math.ceil(wait / 1000) };
    }
    // Counted now, whether it runs or is refused for being one too many at once.
    await this.pairs.fail(pair, now);
    await this.accounts.fail(username, now);
    await this.addresses.fail(address, now);
    if (!admitted) return { kind: 'busy' };
    let settled = false;
    return {
      kind: 'go',
      settle: async (ok) => {
        if (settled) return;
        settled = true;
        leave();
        if (!ok) return;
        this.remember(pair, now);
        await this.pairs.clear(pair);
        await this.accounts.clear(username);
        await this.addresses.forgive(address);
      },
    };
  }

  private isKnown(pair: string, now: number): boolean {
    const at = this.known.get(pair);
    if (at === undefined) return false;
    if (now - at <= KNOWN_FOR_MS) return true;
    this.known.delete(pair);
    return false;
  }

  private remember(pair: string, now: number): void {
    this.known.delete(pair);
    this.known.set(pair, now);
    if (this.known.size <= MAX_THROTTLE_KEYS) return;
    const oldest = this.known.keys().next().value;
    if (oldest !== undefined) this.known.delete(oldest);
  }
}
