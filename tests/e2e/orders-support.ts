// HTTP-only helpers for the orders suites: they work against any base URL (local stack, LocalStack, AWS).
import { randomUUID } from 'node:crypto';
import { api } from '../support/http.js';

export interface Session {
  userId: string;
  token: string;
}

/** Signs a new user up and logs in, through the API. */
export async function newSession(tag = 'orders'): Promise<Session> {
  const email = `${tag}-${randomUUID()}@example.com`;
  const pwd = `pw-${randomUUID()}`;
  const created = await api('POST', '/users', { body: { email, name: 'Order Tester', pwd } });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  const login = await api('POST', '/login', { body: { email, password: pwd } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { userId: login.body.userId as string, token: login.body.token as string };
}

export const placeOrder = (session: Session, body: unknown, headers: Record<string, string> = {}) =>
  api('POST', `/users/${session.userId}/orders`, { body, token: session.token, headers });

export const getOrder = (session: Session, orderId: string) => api('GET', `/users/${session.userId}/orders/${orderId}`, { token: session.token });

/** Polls GET order until it is no longer PENDING (bounded). */
export async function settledOrder(session: Session, orderId: string, { timeoutMs = 30_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await getOrder(session, orderId);
    if (res.status !== 200) throw new Error(`GET order ${orderId} -> ${res.status} ${res.text}`);
    if (res.body.status !== 'PENDING') return res.body as Record<string, any>;
    if (Date.now() > deadline) throw new Error(`order ${orderId} still PENDING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Every settled order of the list (each polled until settled). */
export async function settledOrders(session: Session, orderIds: string[], options?: { timeoutMs?: number; intervalMs?: number }) {
  const settled = new Map<string, Record<string, any>>();
  // A few at a time: polling is cheap, but hundreds of parallel polls would only load the stack under test.
  for (let i = 0; i < orderIds.length; i += 20) {
    const chunk = orderIds.slice(i, i + 20);
    for (const order of await Promise.all(chunk.map((id) => settledOrder(session, id, options)))) settled.set(order.orderId as string, order);
  }
  return settled;
}
