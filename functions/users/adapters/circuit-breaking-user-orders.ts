/**
 * The user's orders from the orders context, behind a circuit breaker (the original's Resilience4J
 * on user-service -> order-service). When the breaker is open, or a call fails or times out, the
 * user is still served: `orders: []`, `available: false`. The breaker's state lives in the function
 * instance, as Resilience4J's lived in one JVM: each warm Lambda instance learns on its own.
 */
import type CircuitBreaker from 'opossum';
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
  private breaker: Promise<CircuitBreaker<[string], UserOrder[]>> | undefined;

  constructor(
    private readonly fetchOrders: (userId: string) => Promise<UserOrder[]>,
    private readonly settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS,
    private readonly onStateChange: (state: 'open' | 'halfOpen' | 'close') => void = () => undefined,
  ) {}

  async ordersOf(userId: string): Promise<{ orders: UserOrder[]; available: boolean }> {
    try {
      return { orders: await (await this.circuitBreaker()).fire(userId), available: true };
    } catch {
      return { orders: [], available: false };
    }
  }

  /** Made on the first call, not at import: opossum is CommonJS, which a bundle evaluates where it is imported (about 1 ms of INIT). */
  private circuitBreaker(): Promise<CircuitBreaker<[string], UserOrder[]>> {
    this.breaker ??= import('opossum').then(({ default: Breaker }) => {
      const breaker = new Breaker(this.fetchOrders, {
        timeout: this.settings.timeoutMs,
        errorThresholdPercentage: this.settings.errorThresholdPercentage,
        volumeThreshold: this.settings.volumeThreshold,
        rollingCountTimeout: this.settings.rollingWindowMs,
        resetTimeout: this.settings.resetTimeoutMs,
      });
      breaker.on('open', () => this.onStateChange('open'));
      breaker.on('halfOpen', () => this.onStateChange('halfOpen'));
      breaker.on('close', () => this.onStateChange('close'));
      return breaker;
    });
    return this.breaker;
  }
}
