/**
 * The user's orders from the orders context, behind a circuit breaker (the original's Resilience4J
 * on user-service -> order-service). When the breaker is open, or a call fails or times out, the
 * user is still served: `orders: []`, `available: false`. The breaker's state lives in the function
 * instance, as Resilience4J's lived in one JVM: each warm Lambda instance learns on its own.
 */
import CircuitBreaker from 'opossum';
import type { UserOrders, UserOrder } from '../domain/user.js';

export interface BreakerSettings {
  /** A call slower than this counts as failed. */
  timeoutMs: number;
  /** Open when at least this share of calls in the rolling window failed ... */
  errorThresholdPercentage: number;
  /** ... and the window saw at least this many calls. */
  volumeThreshold: number;
  rollingWindowMs: number;
  /** How long the breaker stays open before letting one trial call through (half-open). */
  resetTimeoutMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  timeoutMs: 2000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 30_000,
};

export class CircuitBreakingUserOrders implements UserOrders {
  readonly breaker: CircuitBreaker<[string], UserOrder[]>;

  constructor(
    fetchOrders: (userId: string) => Promise<UserOrder[]>,
    settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS,
    onStateChange: (state: 'open' | 'halfOpen' | 'close') => void = () => undefined,
  ) {
    this.breaker = new CircuitBreaker(fetchOrders, {
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingWindowMs,
      resetTimeout: settings.resetTimeoutMs,
    });
    this.breaker.on('open', () => onStateChange('open'));
    this.breaker.on('halfOpen', () => onStateChange('halfOpen'));
    this.breaker.on('close', () => onStateChange('close'));
  }

  async ordersOf(userId: string): Promise<{ orders: UserOrder[]; available: boolean }> {
    try {
      return { orders: await this.breaker.fire(userId), available: true };
    } catch {
      return { orders: [], available: false };
    }
  }
}
