/**
 * GET /users/{userId} shows the user's orders, fetched from the orders context through the users
 * context's circuit breaker (the original's user-service -> order-service call with Resilience4J).
 */
import { describe, expect, it } from 'vitest';
import { api } from '../support/http.js';
import { newSession, placeOrder, settledOrder } from './orders-support.js';

describe('GET /users/{userId} with orders', () => {
  it("lists the caller's orders, newest first, as the orders routes show them", async () => {
    const session = await newSession('user-orders');
    const empty = await api('GET', `/users/${session.userId}`, { token: session.token });
    expect(empty.status).toBe(200);
    expect(empty.body.ordersAvailable).toBe(true);
    expect(empty.body.orders).toEqual([]);

    const first = await placeOrder(session, { productId: 'CATALOG-002', qty: 1 });
    const second = await placeOrder(session, { productId: 'CATALOG-003', qty: 2 });
    expect([first.status, second.status]).toEqual([201, 201]);
    const settled = await settledOrder(session, second.body.orderId as string);

    const res = await api('GET', `/users/${session.userId}`, { token: session.token });
    expect(res.status).toBe(200);
    expect(res.body.ordersAvailable).toBe(true);
    const orders = res.body.orders as Array<Record<string, unknown>>;
    expect(orders.map((o) => o.orderId)).toEqual([second.body.orderId, first.body.orderId]);
    expect(orders[0]).toEqual(settled);
    expect(orders.every((o) => o.userId === session.userId)).toBe(true);
  });
});
