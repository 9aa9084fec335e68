// POST /users/{userId}/orders/{orderId}/cancel on the shared in-memory orders fake: the owner cancels (200, the
// order CANCELLED), a repeat answers the same, what cannot be cancelled is a 409, and the edges (403, 404, 400, 401).
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metrics } from '../../shared/observability.js';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { newOrderId } from '../domain/order-id.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './cancel-order.js';

const USER = 'user-1';
const OTHER = 'user-2';
const NOW = '2026-03-01T10:05:00.000Z';
const id = (seed: number) => newOrderId(Date.UTC(2026, 2, 1, 10, seed), new Uint8Array(10).fill(seed));
const base = { userId: USER, productId: 'CATALOG-001', qty: 2, createdAt: '2026-03-01T10:00:00.000Z', correlationId: 'c' };
const CONFIRMED: Order = {
  ...base,
  orderId: id(1),
  status: 'CONFIRMED',
  unitPrice: 1500,
  totalPrice: 3000,
  settledAt: '2026-03-01T10:00:01.000Z',
  paymentDueAt: '2026-03-01T10:01:01.000Z',
};
const SHIPPED: Order = {
  ...CONFIRMED,
  orderId: id(2),
  status: 'SHIPPED',
  paidAt: '2026-03-01T10:01:02.000Z',
  shippedAt: '2026-03-01T10:02:00.000Z',
};
const REJECTED: Order = { ...base, orderId: id(3), status: 'REJECTED', reason: 'OUT_OF_STOCK' };
const DECLINED: Order = {
  ...CONFIRMED,
  orderId: id(4),
  status: 'CANCELLED',
  reason: 'PAYMENT_DECLINED',
  cancelledFrom: 'CONFIRMED',
  cancelledAt: '2026-03-01T10:01:02.000Z',
};

function setup() {
  const repository = new InMemoryOrderRepository([CONFIRMED, SHIPPED, REJECTED, DECLINED]);
  const handler = createHandler(() => new OrderService(repository, () => new Date(NOW)));
  const call = async (orderId: string, extra: Omit<Partial<APIGatewayProxyEvent>, 'body'> & { body?: unknown } = {}, userId = USER) => {
    const response = await handler(
      apiEvent({
        httpMethod: 'POST',
        path: `/users/${userId}/orders/${orderId}/cancel`,
        pathParameters: { userId, orderId },
        ...authorizedBy(USER),
        ...extra,
      }),
      lambdaContext,
    );
    return [response.statusCode, JSON.parse(response.body) as Record<string, unknown>] as const;
  };
  return { repository, call, stored: (orderId: string) => repository.orders.get(orderId) };
}

afterEach(() => vi.restoreAllMocks());

describe('POST /users/{userId}/orders/{orderId}/cancel', () => {
  it('answers 200 with the order CANCELLED (reason, cancelledAt, the prices it had), and stores the cancellation', async () => {
    const { call, stored } = setup();
    const [status, body] = await call(CONFIRMED.orderId);
    expect(status).toBe(200);
    expect(body).toEqual({
      orderId: CONFIRMED.orderId,
      userId: USER,
      productId: 'CATALOG-001',
      qty: 2,
      createdAt: base.createdAt,
      status: 'CANCELLED',
      reason: 'BUYER_CANCELLED',
      cancelledAt: NOW,
      unitPrice: 1500,
      totalPrice: 3000,
      paymentDueAt: CONFIRMED.paymentDueAt,
    });
    expect(stored(CONFIRMED.orderId)).toMatchObject({ status: 'CANCELLED', cancelledFrom: 'CONFIRMED' });
  });

  it('counts a cancellation once (ordersCancelledBuyer), not its repeats', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const { call } = setup();
    await call(CONFIRMED.orderId);
    await call(CONFIRMED.orderId);
    expect(addMetric.mock.calls.filter(([name]) => name === 'ordersCancelledBuyer')).toHaveLength(1);
  });

  it.each([
    ['no body', {}],
    ['{}', { body: {} }],
    ['{} with spaces', { body: ' { } ' }],
  ])('accepts %s; a repeat answers 200 with the same order', async (_name, extra) => {
    const { call } = setup();
    const first = await call(CONFIRMED.orderId, extra);
    expect(first[0]).toBe(200);
    expect(await call(CONFIRMED.orderId, extra)).toEqual(first);
  });

  it.each([
    ['a field', { body: { reason: 'changed my mind' } }],
    ['an array', { body: [] }],
    ['a string', { body: '"cancel"' }],
    ['malformed JSON', { body: '{' }],
  ])('answers 400 for a body with %s, and cancels nothing', async (_name, extra) => {
    const { call, stored } = setup();
    const [status, body] = await call(CONFIRMED.orderId, extra);
    expect([status, body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(body.details).toEqual([{ field: 'body', message: 'must be empty or {}' }]);
    expect(stored(CONFIRMED.orderId)?.status).toBe('CONFIRMED');
  });

  it.each([
    ['SHIPPED', SHIPPED],
    ['REJECTED', REJECTED],
    ['CANCELLED for a declined payment', DECLINED],
  ])('answers 409 ORDER_NOT_CANCELLABLE for a %s order, and changes nothing', async (_name, order) => {
    const { call, stored } = setup();
    const before = structuredClone(stored(order.orderId));
    const [status, body] = await call(order.orderId);
    expect([status, body.code]).toEqual([409, 'ORDER_NOT_CANCELLABLE']);
    expect(stored(order.orderId)).toEqual(before);
  });

  it("answers 404 for an unknown order, and for another user's order under the caller's own path", async () => {
    const { repository, call } = setup();
    await repository.create({ ...base, orderId: id(9), userId: OTHER, status: 'PENDING' });
    for (const orderId of [id(8), id(9)]) {
      expect(await call(orderId)).toEqual([404, { message: `Order ${orderId} not found`, code: 'NOT_FOUND' }]);
    }
    expect(repository.orders.get(id(9))?.status).toBe('PENDING');
  });

  it("answers 403 under another user's path, whatever the id; 400 for a malformed id; 401 without a caller", async () => {
    const { call } = setup();
    expect(await call(CONFIRMED.orderId, {}, OTHER)).toEqual([403, { message: 'You may only access your own user', code: 'FORBIDDEN' }]);
    expect((await call('not-an-order'))[0]).toBe(400);
    expect((await call(CONFIRMED.orderId, { requestContext: {} as APIGatewayProxyEvent['requestContext'], body: { x: 1 } }))[0]).toBe(401);
  });
});
