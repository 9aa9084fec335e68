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

export const getOrder = (session: Session, orderId: string) =>
  api('GET', `/users/${session.userId}/orders/${orderId}`, { token: session.token });

/** Polls GET order until it is no longer PENDING (bounded). */
export async function settledOrder(session: Session, orderId: string, { timeoutMs = 30_000, intervalMs = 150 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await getOrder(session, orderId);
    if (res.status !== 200) throw new Error(`GET order ${orderId} -> ${res.status} ${res.text}`);
    if (res.body.status !== 'PENDING') return res.body as Record<string, any>;
    if (Date.now() > deadline) throw new Error(`order ${orderId} still PENDING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Polls the user's order until its lifecycle is past the grace period (neither PENDING nor CONFIRMED: PAID, or any
 * other end), for checks that compare the stored order before and after something: a CONFIRMED order would move to
 * PAID in between on its own.
 */
export async function orderPastGrace(session: Session, orderId: string, { timeoutMs = 30_000, intervalMs = 150 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await settledOrder(session, orderId, { timeoutMs, intervalMs });
    if (order.status !== 'CONFIRMED') return order;
    if (Date.now() > deadline)
      throw new Error(`order ${orderId} still CONFIRMED after ${timeoutMs} ms (paymentDueAt ${order.paymentDueAt})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The user's orders, all pages (newest first). */
export async function listAllOrders(session: Session): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let token: string | undefined;
  do {
    const res = await api('GET', `/users/${session.userId}/orders?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`, {
      token: session.token,
    });
    if (res.status !== 200) throw new Error(`GET orders -> ${res.status} ${res.text}`);
    items.push(...(res.body.items as Array<Record<string, any>>));
    token = res.body.nextToken as string | undefined;
  } while (token);
  return items;
}

/**
 * Polls the user's order list (one request per 100 orders, not one per order: every request also runs
 * the authorizer, and a flood of polls would only load the stack under test) until every given order
 * is settled; returns them by id. Bounded.
 */
export async function settledOrders(session: Session, orderIds: string[], { timeoutMs = 60_000, intervalMs = 250 } = {}) {
  const wanted = new Set(orderIds);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const settled = new Map(
      (await listAllOrders(session)).filter((o) => wanted.has(o.orderId) && o.status !== 'PENDING').map((o) => [o.orderId as string, o]),
    );
    if (settled.size === wanted.size) return settled;
    if (Date.now() > deadline)
      throw new Error(`${wanted.size - settled.size} of ${wanted.size} orders still PENDING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Polls the user's list until it holds every given order (a user's list is a GSI query: on AWS it
 * is eventually consistent, so a just-placed order can take a moment to be listed). Bounded.
 */
export async function listedOrders(session: Session, orderIds: string[], { timeoutMs = 10_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await listAllOrders(session);
    const listed = new Set(items.map((o) => o.orderId as string));
    if (orderIds.every((id) => listed.has(id))) return items;
    if (Date.now() > deadline)
      throw new Error(`orders not listed after ${timeoutMs} ms: ${orderIds.filter((id) => !listed.has(id)).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
