/**
 * Brute-force limits on log-in (functions/users/README.md, "Brute-force limits on log-in"): failed attempts are counted per
 * normalised email (known or not, so the answer tells nothing) and per source address, in a window
 * that opens at the first failure. Past a limit, log-in is refused before any password hash is
 * computed, until the window closes.
 *
 * An attempt *reserves* a slot before its hash is computed and gives it back when the password was
 * right: so guesses sent in parallel cannot all pass a read-then-count check (at most `max` are ever
 * in flight or failed in a window).
 */
import { createHash } from 'node:crypto';
import { TooManyAttemptsError } from '../../shared/domain-errors.js';

export interface LoginAttemptLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

export type Reservation = { reserved: true } | { reserved: false; retryAfterSeconds: number };

/** Counters with a window each (adapters/dynamodb-login-attempts.ts). Times are epoch seconds. */
export interface AttemptCounters {
  /** One more attempt on `key` unless it already has `max` in its open window (then: when that window closes). */
  reserve(key: string, max: number, windowSeconds: number, now: number): Promise<Reservation>;
  /** Gives a reserved attempt back (the password was right), if its window is still open. */
  release(key: string, windowSeconds: number, now: number): Promise<void>;
}

export interface LoginAttempt {
  /** Normalised already. */
  email: string;
  sourceAddress: string | undefined;
}

/** A hash, so the table holds no address of anyone who merely mistyped (or never signed up). */
const emailKey = (email: string) => `EMAIL#${createHash('sha256').update(email, 'utf8').digest('base64url')}`;
const addressKey = (address: string) => `ADDRESS#${address}`;

export class LoginAttemptGuard {
  constructor(
    private readonly counters: AttemptCounters,
    private readonly limits: LoginAttemptLimits,
    private readonly nowMs: () => number = Date.now,
  ) {
    const { maxFailuresPerEmail, maxFailuresPerAddress, windowSeconds } = limits;
    if (![maxFailuresPerEmail, maxFailuresPerAddress, windowSeconds].every((n) => Number.isInteger(n) && n >= 1)) {
      throw new Error('log-in limits must be positive integers');
    }
  }

  /**
   * Runs `attempt` (the password check) if neither limit is reached, else throws TooManyAttemptsError
   * without running it. `attempt` answers whether the password was right; a right one gives the
   * reservations back, so only failures count.
   */
  async guard<T>(login: LoginAttempt, attempt: () => Promise<{ succeeded: boolean; result: T }>): Promise<T> {
    const now = this.now();
    const { windowSeconds } = this.limits;
    const keys: Array<[string, number]> = [[emailKey(login.email), this.limits.maxFailuresPerEmail]];
    if (login.sourceAddress) keys.push([addressKey(login.sourceAddress), this.limits.maxFailuresPerAddress]);

    // Both counters at once (two conditional writes in parallel, not one after the other).
    const reservations = await Promise.all(keys.map(([key, max]) => this.counters.reserve(key, max, windowSeconds, now)));
    const reserved = keys.filter((_, index) => reservations[index]?.reserved).map(([key]) => key);
    const giveBack = () => Promise.all(reserved.map((key) => this.counters.release(key, windowSeconds, this.now())));
    const refusals = reservations.flatMap((reservation) => (reservation.reserved ? [] : [reservation.retryAfterSeconds]));
    if (refusals.length > 0) {
      await giveBack(); // a refused attempt is not a failure: it must not extend anyone's window
      throw new TooManyAttemptsError(Math.max(1, ...refusals));
    }
    let outcome: { succeeded: boolean; result: T };
    try {
      outcome = await attempt();
    } catch (error) {
      await giveBack().catch(() => undefined); // an outage is not the caller's failure
      throw error;
    }
    if (outcome.succeeded) await giveBack();
    return outcome.result;
  }

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}
