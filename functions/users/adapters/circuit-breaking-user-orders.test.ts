import { describe, expect, it } from 'vitest';
import { CircuitBreakingUserOrders, type BreakerSettings } from './circuit-breaking-user-orders.js';

const settings: BreakerSettings = {
  timeoutMs: 50,
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 100,
};

describe('CircuitBreakingUserOrders', () => {
  it('passes the orders through while the orders context answers', async () => {
    const order = (userId: string) => ({
      orderId: 'o1',
      userId,
      productId: 'P',
      qty: 1,
      status: 'PENDING' as const,
      createdAt: '2026-05-01T00:00:00.000Z',
    });
    const orders = new CircuitBreakingUserOrders(async (userId) => [order(userId)], settings);
    expect(await orders.ordersOf('u1')).toEqual({
      orders: [order('u1')],
      available: true,
    });
  });

  it('degrades to no orders on a failure or a timeout, without throwing', async () => {
    const failing = new CircuitBreakingUserOrders(async () => Promise.reject(new Error('down')), settings);
    expect(await failing.ordersOf('u1')).toEqual({
      orders: [],
      available: false,
    });
    const slow = new CircuitBreakingUserOrders(() => new Promise((resolve) => setTimeout(() => resolve([]), 500)), settings);
    expect(await slow.ordersOf('u1')).toEqual({ orders: [], available: false });
  });

  it('opens after repeated failures and stops calling, then half-opens and closes on success', async () => {
    let calls = 0;
    let healthy = false;
    const states: string[] = [];
    const orders = new CircuitBreakingUserOrders(
      async () => {
        calls++;
        if (!healthy) throw new Error('down');
        return [];
      },
      settings,
      (state) => states.push(state),
    );
    for (let i = 0; i < 3; i++) await orders.ordersOf('u1');
    expect(states).toEqual(['open']);
    const callsWhenOpened = calls;
    expect(await orders.ordersOf('u1')).toEqual({
      orders: [],
      available: false,
    });
    expect(calls).toBe(callsWhenOpened); // open: short-circuited, the orders context is left alone

    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, settings.resetTimeoutMs + 20));
    expect(await orders.ordersOf('u1')).toEqual({
      orders: [],
      available: true,
    });
    expect(states).toEqual(['open', 'halfOpen', 'close']);
  });
});
